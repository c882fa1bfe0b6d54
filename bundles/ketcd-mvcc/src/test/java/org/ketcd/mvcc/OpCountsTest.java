package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.ketcd.mvcc.Kv.b;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdException;
import org.ketcd.api.OpCounts;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;

/**
 * The store counts its ranges, puts, deletes and txns as etcd 3.4 does. Each expected line is what real etcd 3.4's
 * /metrics showed after the same request, sent with etcdctl (ranges, puts, deletes, txns, bytes put).
 */
class OpCountsTest {
    @TempDir
    Path dir;

    private static PutRequest put(String k, String v, long lease, boolean prevKv, boolean ignoreValue) {
        return new PutRequest(b(k), b(v), lease, prevKv, ignoreValue, false);
    }

    private static Compare valueIs(String key, String value) {
        return new Compare(Compare.Result.EQUAL, Compare.Target.VALUE, b(key), Bytes.EMPTY, 0, b(value));
    }

    private static Compare modAbove(String key, long rev) {
        return new Compare(Compare.Result.GREATER, Compare.Target.MOD, b(key), Bytes.EMPTY, rev, null);
    }

    private static Compare modIs(String key, long rev) {
        return new Compare(Compare.Result.EQUAL, Compare.Target.MOD, b(key), Bytes.EMPTY, rev, null);
    }

    private static String counts(MvccStore s) {
        OpCounts c = s.opCounts();
        return "ranges=" + c.ranges() + " puts=" + c.puts() + " deletes=" + c.deletes() + " txns=" + c.txns()
                + " bytes=" + c.putBytes();
    }

    @Test
    void theStoreCountsRangesPutsDeletesAndTxnsAsEtcdDoes() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals("ranges=0 puts=0 deletes=0 txns=0 bytes=0", counts(s));
            s.put(Kv.put("a", "1"));
            assertEquals("ranges=0 puts=1 deletes=0 txns=0 bytes=2", counts(s), "put a 1");
            s.put(put("a", "22", 0, true, false));
            assertEquals("ranges=1 puts=2 deletes=0 txns=1 bytes=5", counts(s), "put --prev-kv a 22");
            s.range(Kv.get("a"));
            assertEquals("ranges=2 puts=2 deletes=0 txns=1 bytes=5", counts(s), "get a");
            s.deleteRange(new DeleteRangeRequest(b("a"), Bytes.EMPTY, true));
            assertEquals("ranges=3 puts=2 deletes=1 txns=2 bytes=5", counts(s), "del --prev-kv a");
            s.deleteRange(Kv.del("missing"));
            assertEquals("ranges=3 puts=2 deletes=2 txns=2 bytes=5", counts(s), "del missing");

            // a write txn: its compares on a read view, then its branch, each a store transaction of its own
            s.txn(new TxnRequest(List.of(valueIs("b", "x")), List.of(RequestOp.put(Kv.put("c", "1"))),
                    List.of(RequestOp.put(Kv.put("d", "1")), RequestOp.range(Kv.get("b")))));
            assertEquals("ranges=5 puts=3 deletes=2 txns=3 bytes=7", counts(s), "txn: 1 compare fails, failure: put d, get b");
            // a read-only txn is one store transaction; a failed compare ends the evaluation
            s.txn(new TxnRequest(List.of(valueIs("c", "x"), modAbove("d", 0)), List.of(RequestOp.range(Kv.get("c"))),
                    List.of(RequestOp.range(Kv.get("d")))));
            assertEquals("ranges=7 puts=3 deletes=2 txns=4 bytes=7", counts(s), "read-only txn, first of 2 compares fails");
            s.txn(new TxnRequest(List.of(modAbove("d", 0), modIs("c", 0)), List.of(RequestOp.range(Kv.get("c"))),
                    List.of(RequestOp.range(Kv.get("d")))));
            assertEquals("ranges=10 puts=3 deletes=2 txns=5 bytes=7", counts(s), "read-only txn, 2 compares hold");

            s.grantLease(7, 100);
            s.put(put("k1", "v", 7, false, false));
            s.put(put("k2", "v", 7, false, false));
            assertEquals("ranges=10 puts=5 deletes=2 txns=5 bytes=13", counts(s), "2 puts with a lease");
            s.revokeLease(7);
            assertEquals("ranges=10 puts=5 deletes=4 txns=6 bytes=13", counts(s), "revoking a lease with 2 keys");

            s.put(put("d", "", 0, false, true));
            assertEquals("ranges=11 puts=6 deletes=4 txns=7 bytes=15", counts(s), "put --ignore-value d");
            s.txn(new TxnRequest(List.of(), List.of(RequestOp.put(put("d", "", 0, false, true))), List.of()));
            assertEquals("ranges=13 puts=7 deletes=4 txns=8 bytes=17", counts(s), "txn: put --ignore-value d");
            s.txn(new TxnRequest(List.of(), List.of(RequestOp.put(put("c", "9", 0, true, false)),
                    RequestOp.delete(new DeleteRangeRequest(b("zz"), Bytes.EMPTY, true))), List.of()));
            assertEquals("ranges=15 puts=8 deletes=5 txns=9 bytes=19", counts(s), "txn: put --prev-kv c 9, del --prev-kv zz");
            assertThrows(EtcdException.class, () -> s.put(put("nokey", "", 0, false, true)));
            assertEquals("ranges=16 puts=8 deletes=5 txns=9 bytes=19", counts(s), "put --ignore-value nokey, refused");
            // a txn refused by its checks still counts the compares it read, as etcd ends its read transaction
            long future = s.currentRevision() + 10;
            assertThrows(EtcdException.class, () -> s.txn(new TxnRequest(List.of(modAbove("d", 0)),
                    List.of(RequestOp.range(Kv.getAt("d", future))), List.of())));
            assertEquals("ranges=17 puts=8 deletes=5 txns=9 bytes=19", counts(s), "read-only txn refused: future revision");
        }
    }
}
