package org.ketcd.raft;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.nio.BufferObjectDataInput;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.SerializationConstants;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Encodes the batches of commands that form one Raft log entry, with Hazelcast IMDG serialization
 * ({@code IdentifiedDataSerializable}; no Hazelcast member is started). Hazelcast has no public
 * standalone serialization API, so its internal builder is used here and nowhere else.
 *
 * <p>Decoding accepts Ketcd's own batch type and nothing else: the Hazelcast header must name the
 * batch's factory and class, and the batch is then read by {@link CommandBatchReader}, never through
 * Hazelcast's type dispatch. So bytes framed as Java serialization (type -100), Externalizable, a
 * DataSerializable class name or any other Hazelcast type are refused before any of it is read. Java
 * serialization is off in the serialization service as well (every class name refused), in case
 * anything ever asks it to deserialize.
 */
public final class CommandCodec {
    /** Hazelcast's framing in front of the batch: partition hash, type id, DataSerializable flags, factory and class id. */
    static final int HEADER_BYTES = Integer.BYTES + Integer.BYTES + 1 + Integer.BYTES + Integer.BYTES;
    private static final int TYPE_OFFSET = Integer.BYTES;
    private static final int FLAGS_OFFSET = TYPE_OFFSET + Integer.BYTES;
    private static final int FACTORY_OFFSET = FLAGS_OFFSET + 1;
    private static final int CLASS_OFFSET = FACTORY_OFFSET + Integer.BYTES;
    /** DataSerializable's flags byte: identified (factory and class id follow, no class name), not versioned. */
    private static final byte IDENTIFIED_UNVERSIONED = 1;

    private final InternalSerializationService serialization = new DefaultSerializationServiceBuilder()
            .setConfig(new SerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig()
                    .setDefaultsDisabled(true)
                    .setBlacklist(new ClassFilter().addPrefixes(""))))
            .build();

    /** An entry that is not a batch of Ketcd commands this member reads. */
    public static class UndecodableException extends IOException {
        UndecodableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An entry in a format a newer Ketcd writes ({@link CommandBatch}'s rule between versions). */
    public static final class NewerFormatException extends UndecodableException {
        NewerFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public byte[] encode(List<ProposedCommand> commands) {
        Data data = serialization.toData(new CommandBatch(commands));
        return data.toByteArray();
    }

    /** The commands of an entry; refuses, without deserializing anything, whatever is not a Ketcd batch. */
    public List<ProposedCommand> decode(byte[] bytes) throws UndecodableException {
        try {
            checkHeader(bytes);
            BufferObjectDataInput in = serialization.createObjectDataInput(bytes, HEADER_BYTES);
            return CommandBatchReader.read(new EntryInput(in, bytes.length));
        } catch (CommandBatchReader.NewerFormatException e) {
            throw new NewerFormatException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableException("not a Ketcd command batch: " + e.getMessage(), e);
        }
    }

    private static void checkHeader(byte[] bytes) throws IOException {
        if (bytes.length < HEADER_BYTES) {
            throw new IOException(bytes.length + " bytes are too few for a command batch");
        }
        ByteBuffer header = ByteBuffer.wrap(bytes); // Hazelcast's header is big-endian
        int type = header.getInt(TYPE_OFFSET);
        if (type != SerializationConstants.CONSTANT_TYPE_DATA_SERIALIZABLE) {
            throw new IOException("serialization type " + type + " is not Ketcd's");
        }
        byte flags = header.get(FLAGS_OFFSET);
        int factory = header.getInt(FACTORY_OFFSET);
        int classId = header.getInt(CLASS_OFFSET);
        if (flags != IDENTIFIED_UNVERSIONED || factory != CommandBatch.FACTORY_ID || classId != CommandBatch.CLASS_ID) {
            throw new IOException("DataSerializable flags " + flags + ", factory " + factory + ", class " + classId
                    + " are not Ketcd's command batch");
        }
    }

    /** The serialization service, for tests that check what it refuses. */
    InternalSerializationService serialization() {
        return serialization;
    }

    /** Encoded size of one command alone: what {@code --max-request-bytes} limits, as etcd limits its raft request. */
    public int encodedSize(ProposedCommand command) {
        return encode(List.of(command)).length;
    }
}
