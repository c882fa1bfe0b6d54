package org.ketcd.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void everyCommandKindSurvivesTheLogEncodingUnchanged() {
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
    void anEntryWrittenInAnUnknownFormatVersionIsRefusedNotMisread() {
        byte[] bytes = codec.encode(List.of(new ProposedCommand(1, 1, new Command.Compact(new CompactionRequest(1, false)))));
        // Hazelcast's IdentifiedDataSerializable header: type id (4), factory id (4), class id (4), then our version byte.
        int versionOffset = indexOfVersionByte(bytes);
        bytes[versionOffset] = 99;
        byte[] corrupted = bytes;
        assertThrows(RuntimeException.class, () -> codec.decode(corrupted));
    }

    private int indexOfVersionByte(byte[] bytes) {
        // The payload starts right after Hazelcast's data header; find our version byte followed by the count 1.
        for (int i = 0; i + 4 < bytes.length; i++) {
            if (bytes[i] == CommandBatch.FORMAT_V1 && bytes[i + 1] == 0 && bytes[i + 2] == 0 && bytes[i + 3] == 0 && bytes[i + 4] == 1) {
                return i;
            }
        }
        throw new AssertionError("version byte not found");
    }

    @Test
    void aPutCommandStaysSmall() {
        int size = codec.encodedSize(new ProposedCommand(1, 1, new Command.Put(PutRequest.of(Bytes.utf8("key"), Bytes.utf8("value")))));
        // Hazelcast header + version + count + ids + type + key + value + lease + flags: well under 100 bytes.
        org.junit.jupiter.api.Assertions.assertTrue(size < 100, "encoded put is " + size + " bytes");
    }
}
