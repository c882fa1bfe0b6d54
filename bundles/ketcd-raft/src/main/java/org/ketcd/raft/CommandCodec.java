package org.ketcd.raft;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.HeapData;
import java.util.List;

/**
 * Encodes the batches of commands that form one Raft log entry, with Hazelcast IMDG serialization
 * ({@code IdentifiedDataSerializable}; no Hazelcast member is started). Hazelcast has no public
 * standalone serialization API, so its internal builder is used here and nowhere else.
 */
public final class CommandCodec {
    private final InternalSerializationService serialization = new DefaultSerializationServiceBuilder()
            .addDataSerializableFactory(CommandBatch.FACTORY_ID, classId -> classId == CommandBatch.CLASS_ID
                    ? new CommandBatch() : null)
            .build();

    public byte[] encode(List<ProposedCommand> commands) {
        Data data = serialization.toData(new CommandBatch(commands));
        return data.toByteArray();
    }

    public List<ProposedCommand> decode(byte[] bytes) {
        CommandBatch batch = serialization.toObject(new HeapData(bytes));
        return batch.commands();
    }

    /** Encoded size of one command alone: what {@code --max-request-bytes} limits, as etcd limits its raft request. */
    public int encodedSize(ProposedCommand command) {
        return encode(List.of(command)).length;
    }
}
