package org.ketcd.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.internal.serialization.impl.HeapData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ketcd.api.Alarm;
import org.ketcd.api.AlarmType;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;

class CommandCodecTest {
    private final CommandCodec codec = new CommandCodec();

    @Test
    void everyCommandKindSurvivesTheLogEncodingUnchanged() throws Exception {
        TxnRequest nested = new TxnRequest(List.of(), List.of(RequestOp.put(PutRequest.of(Bytes.utf8("n"), Bytes.utf8("v")))), List.of());
        TxnRequest txn = new TxnRequest(
                List.of(new Compare(Compare.Result.NOT_EQUAL, Compare.Target.VALUE, Bytes.utf8("k"), Bytes.EMPTY, 0, Bytes.utf8("x")),
                        new Compare(Compare.Result.GREATER, Compare.Target.LEASE, Bytes.utf8("a"), Bytes.utf8("b"), 42, null)),
                List.of(RequestOp.range(new RangeRequest(Bytes.utf8("a"), Bytes.FROM_KEY, 5, 3, RangeRequest.SortOrder.DESCEND,
                                RangeRequest.SortTarget.MOD, true, true, false, 1, 2, 3, 4)),
                        RequestOp.delete(new DeleteRangeRequest(Bytes.utf8("d"), Bytes.EMPTY, true)),
                        RequestOp.txn(nested)),
                List.of(RequestOp.put(new PutRequest(Bytes.utf8("p"), Bytes.EMPTY, 7, true, true, false))));
        List<ProposedCommand> batch = List.of(
                new ProposedCommand(1, 10, new Command.Put(new PutRequest(Bytes.utf8("key"), new byte[] {0, -1, 5}, 99, true, false, true))),
                new ProposedCommand(1, 11, new Command.DeleteRange(new DeleteRangeRequest(Bytes.utf8("a"), Bytes.utf8("z"), false))),
                new ProposedCommand(2, 12, new Command.Txn(txn)),
                new ProposedCommand(2, 13, new Command.Compact(new CompactionRequest(17, true))),
                new ProposedCommand(3, 14, new Command.AlarmChange(true, new Alarm(-5L, AlarmType.NOSPACE))),
                new ProposedCommand(3, 15, new Command.MemberChange(Command.MemberChange.Kind.UPDATE, new org.ketcd.api.Member(-7L, "n1",
                        List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379", "http://10.0.0.1:2379"), true))),
                new ProposedCommand(4, 16, new Command.LeaseGrant(0x694d5765fc71500bL, 60)),
                new ProposedCommand(4, 17, new Command.LeaseRevoke(Long.MAX_VALUE)));

        List<ProposedCommand> decoded = codec.decode(codec.encode(batch));

        assertEquals(batch.size(), decoded.size());
        Command.Put put = (Command.Put) decoded.get(0).command();
        assertArrayEquals(new byte[] {0, -1, 5}, put.request().value());
        assertEquals(99, put.request().lease());
        assertEquals(true, put.request().ignoreLease());
        assertEquals(12, decoded.get(2).requestId());
        TxnRequest t = ((Command.Txn) decoded.get(2).command()).request();
        assertEquals(Compare.Target.LEASE, t.compare().get(1).target());
        assertEquals(42, t.compare().get(1).number());
        assertEquals(RangeRequest.SortTarget.MOD, t.success().get(0).range().sortTarget());
        assertEquals(4, t.success().get(0).range().maxCreateRevision());
        assertArrayEquals(Bytes.utf8("n"), t.success().get(2).txn().success().get(0).put().key());
        assertEquals(new CompactionRequest(17, true), ((Command.Compact) decoded.get(3).command()).request());
        assertEquals(new Alarm(-5L, AlarmType.NOSPACE), ((Command.AlarmChange) decoded.get(4).command()).alarm());
        assertEquals(batch.get(5).command(), decoded.get(5).command());
        assertEquals(batch.get(6).command(), decoded.get(6).command());
        assertEquals(batch.get(7).command(), decoded.get(7).command());
    }

    @Test
    void everyAuthChangeAndACommandsSenderSurviveTheLogEncoding() throws Exception {
        List<org.ketcd.api.AuthChange> changes = List.of(new org.ketcd.api.AuthChange.Enable(), new org.ketcd.api.AuthChange.Disable(),
                new org.ketcd.api.AuthChange.Authenticate("alice", "abcdefghijklmnop.42", 7),
                new org.ketcd.api.AuthChange.UserAdd("alice", Bytes.utf8("$2a$10$hash")),
                new org.ketcd.api.AuthChange.UserDelete("alice"),
                new org.ketcd.api.AuthChange.UserChangePassword("alice", Bytes.utf8("$2a$10$other")),
                new org.ketcd.api.AuthChange.UserGrantRole("alice", "app"),
                new org.ketcd.api.AuthChange.UserRevokeRole("alice", "app"),
                new org.ketcd.api.AuthChange.RoleAdd("app"), new org.ketcd.api.AuthChange.RoleDelete("app"),
                new org.ketcd.api.AuthChange.RoleGrantPermission("app", new org.ketcd.api.Permission(
                        org.ketcd.api.Permission.Type.READWRITE, Bytes.utf8("/app/"), Bytes.utf8("/app0"))),
                new org.ketcd.api.AuthChange.RoleRevokePermission("app", Bytes.utf8("/k"), Bytes.EMPTY));
        List<ProposedCommand> batch = new java.util.ArrayList<>();
        for (org.ketcd.api.AuthChange c : changes) {
            batch.add(new ProposedCommand(1, batch.size(), new Command.AsUser("root", 3, new Command.Auth(c))));
        }
        batch.add(new ProposedCommand(1, 99, new Command.AsUser("", 0, new Command.Put(PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v"))))));

        List<ProposedCommand> decoded = codec.decode(codec.encode(batch));

        for (int i = 0; i < changes.size(); i++) {
            Command.AsUser sent = (Command.AsUser) decoded.get(i).command();
            assertEquals("root", sent.user());
            assertEquals(3, sent.authRevision());
            org.ketcd.api.AuthChange change = ((Command.Auth) sent.command()).change();
            assertEquals(changes.get(i).getClass(), change.getClass());
            assertEquals(String.valueOf(describe(changes.get(i))), String.valueOf(describe(change)));
        }
        Command.AsUser anonymous = (Command.AsUser) decoded.get(changes.size()).command();
        assertEquals("", anonymous.user());
        assertArrayEquals(Bytes.utf8("v"), ((Command.Put) anonymous.command()).request().value());
    }

    /** A record's text with its byte arrays spelled out (records print arrays by identity). */
    private static String describe(Object record) throws Exception {
        StringBuilder b = new StringBuilder();
        for (var c : record.getClass().getRecordComponents()) {
            Object v = c.getAccessor().invoke(record);
            b.append(c.getName()).append('=').append(v instanceof byte[] bytes ? java.util.Arrays.toString(bytes)
                    : v instanceof org.ketcd.api.Permission p ? p.type() + java.util.Arrays.toString(p.key())
                    + java.util.Arrays.toString(p.rangeEnd()) : v).append(';');
        }
        return b.toString();
    }

    @Test
    void anEntryWrittenInAnUnknownFormatVersionIsRefusedNotMisread() {
        byte[] bytes = codec.encode(List.of(new ProposedCommand(1, 1, new Command.Compact(new CompactionRequest(1, false)))));
        int versionOffset = indexOfVersionByte(bytes);
        bytes[versionOffset] = 0;
        byte[] corrupted = bytes.clone();
        CommandCodec.UndecodableException refused = assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(corrupted));
        assertFalse(refused instanceof CommandCodec.NewerFormatException, "format 0 taken for a newer Ketcd's");
    }

    @Test
    void anEntryInAFormatNewerThanThisKetcdReadsIsToldApartFromGarbage() {
        byte[] bytes = codec.encode(List.of(new ProposedCommand(1, 1, new Command.Compact(new CompactionRequest(1, false)))));
        bytes[indexOfVersionByte(bytes)] = CommandBatch.NEWEST_FORMAT + 1;
        CommandCodec.NewerFormatException newer = assertThrows(CommandCodec.NewerFormatException.class, () -> codec.decode(bytes));
        assertTrue(newer.getMessage().contains("format " + (CommandBatch.NEWEST_FORMAT + 1) + " is newer than this Ketcd reads (up to "
                + CommandBatch.NEWEST_FORMAT + ")"), newer.getMessage());
    }

    /** The batch payload starts right after Hazelcast's header: our version byte, then the command count. */
    private static int indexOfVersionByte(byte[] bytes) {
        assertEquals(CommandBatch.FORMAT_V1, bytes[CommandCodec.HEADER_BYTES]);
        return CommandCodec.HEADER_BYTES;
    }

    /** Set by {@link Tripwire#readObject}: proof that Java deserialization ran. */
    static volatile boolean tripped;

    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            tripped = true;
        }
    }

    /** Hazelcast's framing of a Java-serialized object: partition hash, type -100, the object stream. */
    private static byte[] javaSerialized(Object o) throws IOException {
        ByteArrayOutputStream java = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(java)) {
            out.writeObject(o);
        }
        return ByteBuffer.allocate(8 + java.size()).putInt(0).putInt(-100).put(java.toByteArray()).array();
    }

    @Test
    void aJavaSerializedObjectIsRefusedWithoutItsReadObjectRunning() throws IOException {
        byte[] bytes = javaSerialized(new Tripwire());
        CommandCodec.UndecodableException refused = assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(bytes));
        assertTrue(refused.getMessage().contains("type -100"), refused.getMessage());
        assertFalse(tripped, "ObjectInputStream.readObject ran on the entry's bytes");
    }

    @Test
    void theSerializationServiceItselfRefusesJavaDeserialization() throws IOException {
        byte[] bytes = javaSerialized(new Tripwire());
        RuntimeException refused = assertThrows(RuntimeException.class, () -> codec.serialization().toObject(new HeapData(bytes)));
        assertTrue(String.valueOf(refused.getMessage()).contains("is not allowed"), "refused for another reason: " + refused);
        assertFalse(tripped, "ObjectInputStream.readObject ran: Java serialization is on in the codec's service");
    }

    @Test
    void anotherHazelcastTypeOrAnotherDataSerializableIsRefused() {
        byte[] string = codec.serialization().toData("a string").toByteArray();
        assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(string));
        byte[] batch = codec.encode(List.of(new ProposedCommand(1, 1, new Command.LeaseRevoke(3))));
        batch[CommandCodec.HEADER_BYTES - 1] = 2; // another class id of the same factory
        assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(batch));
    }

    /** A batch of one Put whose key claims {@code keyLength} bytes, followed by {@code actual} bytes. */
    private byte[] putWithKeyLength(int keyLength, int actual) {
        byte[] valid = codec.encode(List.of(new ProposedCommand(1, 2, new Command.Put(PutRequest.of(new byte[0], new byte[0])))));
        int keyLengthOffset = CommandCodec.HEADER_BYTES + 1 + 4 + 8 + 8 + 1;
        ByteBuffer b = ByteBuffer.allocate(keyLengthOffset + 4 + actual);
        b.put(valid, 0, keyLengthOffset).putInt(keyLength);
        return b.array();
    }

    @Test
    void aForgedLengthIsRefusedBeforeAnythingIsAllocated() {
        // 2 GiB claimed by a few dozen bytes: Hazelcast's own reader would allocate it
        assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(putWithKeyLength(Integer.MAX_VALUE, 16)));
        assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(putWithKeyLength(-7, 16)));
        byte[] valid = codec.encode(List.of(new ProposedCommand(1, 1, new Command.LeaseRevoke(3))));
        ByteBuffer.wrap(valid).putInt(CommandCodec.HEADER_BYTES + 1, Integer.MAX_VALUE); // the command count
        assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(valid));
    }

    @Test
    void everyTruncationOfAValidEntryIsRefusedAndTrailingBytesToo() {
        byte[] valid = codec.encode(List.of(new ProposedCommand(1, 10, new Command.Put(new PutRequest(Bytes.utf8("key"),
                Bytes.utf8("v"), 99, true, false, true))), new ProposedCommand(2, 11, new Command.MemberChange(
                Command.MemberChange.Kind.ADD, new org.ketcd.api.Member(5, "n", List.of("http://a:1"), List.of(), false)))));
        for (int n = 0; n < valid.length; n++) {
            byte[] prefix = Arrays.copyOf(valid, n);
            assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(prefix), "a prefix of " + n + " bytes");
        }
        byte[] longer = Arrays.copyOf(valid, valid.length + 1);
        assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(longer));
    }

    @Test
    void randomlyCorruptedEntriesDecodeOrAreRefusedNeverAnythingElse() {
        TxnRequest txn = new TxnRequest(List.of(new Compare(Compare.Result.EQUAL, Compare.Target.VERSION, Bytes.utf8("k"),
                Bytes.EMPTY, 1, null)), List.of(RequestOp.range(RangeRequest.of(Bytes.utf8("a"), Bytes.utf8("b")))), List.of());
        byte[] valid = codec.encode(List.of(new ProposedCommand(1, 10, new Command.Txn(txn)),
                new ProposedCommand(1, 11, new Command.AlarmChange(true, new Alarm(1, AlarmType.NOSPACE)))));
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = valid.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            try {
                codec.decode(bytes);
            } catch (CommandCodec.UndecodableException refused) {
                // refused as a whole: fine
            }
        }
    }

    private static TxnRequest nested(int depth) {
        TxnRequest txn = new TxnRequest(List.of(), List.of(RequestOp.put(PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v")))), List.of());
        for (int level = 1; level < depth; level++) {
            txn = new TxnRequest(List.of(), List.of(RequestOp.txn(txn)), List.of());
        }
        return txn;
    }

    @Test
    void transactionsNestUpToTheBoundAndNoDeeper() throws Exception {
        byte[] deepest = codec.encode(List.of(new ProposedCommand(1, 1, new Command.Txn(nested(CommandBatchReader.MAX_TXN_DEPTH)))));
        assertEquals(1, codec.decode(deepest).size());
        byte[] tooDeep = codec.encode(List.of(new ProposedCommand(1, 1, new Command.Txn(nested(CommandBatchReader.MAX_TXN_DEPTH + 1)))));
        CommandCodec.UndecodableException refused = assertThrows(CommandCodec.UndecodableException.class, () -> codec.decode(tooDeep));
        assertTrue(refused.getMessage().contains("nested"), refused.getMessage());
    }

    @Test
    void aPutCommandStaysSmall() {
        int size = codec.encodedSize(new ProposedCommand(1, 1, new Command.Put(PutRequest.of(Bytes.utf8("key"), Bytes.utf8("value")))));
        // Hazelcast header + version + count + ids + type + key + value + lease + flags: well under 100 bytes.
        assertTrue(size < 100, "encoded put is " + size + " bytes");
    }
}
