package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ketcd.mvcc.Kv.b;
import static org.ketcd.mvcc.Kv.del;
import static org.ketcd.mvcc.Kv.get;
import static org.ketcd.mvcc.Kv.getAt;
import static org.ketcd.mvcc.Kv.prefix;
import static org.ketcd.mvcc.Kv.put;
import static org.ketcd.mvcc.Kv.show;
import static org.ketcd.mvcc.RandomizedAgainstModelTest.expectError;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;

/** Single etcd 3.4 behaviours, each pinned by name. */
class EtcdSemanticsTest {

    @TempDir
    Path dir;
    MvccStore s;

    @BeforeEach
    void open() {
        s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE);
        s.grantLease(7, 60);
    }

    @AfterEach
    void close() {
        s.close();
    }

    @Test
    void freshStoreIsAtRevisionOneAndFirstPutGetsRevisionTwo() {
        assertEquals(1, s.currentRevision());
        assertEquals(1, s.range(get("x")).revision());
        assertEquals(0, s.compactRevision());
        assertEquals(-1, s.hashKv(0).compactRevision()); // etcd reports compact_revision -1 before any compaction
        assertEquals(2, s.put(put("a", "1")).revision());
    }

    @Test
    void versionResetsAfterDeleteAndCreateRevisionStartsNewGeneration() {
        s.put(put("k", "1"));
        s.put(put("k", "2"));
        assertEquals("k=2{c2,m3,v2,l0}", show(s.range(get("k")).kvs().get(0)));
        assertEquals(4, s.deleteRange(del("k")).revision());
        assertTrue(s.range(get("k")).kvs().isEmpty());
        s.put(put("k", "3"));
        assertEquals("k=3{c5,m5,v1,l0}", show(s.range(get("k")).kvs().get(0)));
        assertEquals("k=2{c2,m3,v2,l0}", show(s.range(getAt("k", 3)).kvs().get(0)));
        assertTrue(s.range(getAt("k", 4)).kvs().isEmpty()); // the tombstone hides it at its revision
    }

    @Test
    void deletingNothingCreatesNoRevision() {
        s.put(put("a", "1"));
        var resp = s.deleteRange(del("missing"));
        assertEquals(0, resp.deleted());
        assertEquals(2, resp.revision());
        assertEquals(2, s.currentRevision());
    }

    @Test
    void putReturnsPrevKvAndChecksLease() {
        s.put(put("a", "1"));
        var resp = s.put(new PutRequest(b("a"), b("2"), 7, true, false, false));
        assertEquals("a=1{c2,m2,v1,l0}", show(resp.prevKv()));
        assertEquals(7, s.range(get("a")).kvs().get(0).lease());
        expectError(EtcdError.LEASE_NOT_FOUND, () -> s.put(new PutRequest(b("a"), b("3"), 8, false, false, false)));
        assertEquals(3, s.currentRevision());
    }

    @Test
    void ignoreValueAndIgnoreLeaseKeepTheOldOnesAndFailOnMissingKey() {
        s.put(new PutRequest(b("a"), b("1"), 7, false, false, false));
        s.put(new PutRequest(b("a"), Bytes.EMPTY, 0, false, true, true));
        assertEquals("a=1{c2,m3,v2,l7}", show(s.range(get("a")).kvs().get(0)));
        expectError(EtcdError.KEY_NOT_FOUND, () -> s.put(new PutRequest(b("b"), Bytes.EMPTY, 0, false, true, false)));
        assertEquals(3, s.currentRevision());
    }

    @Test
    void txnFailingWithKeyNotFoundAppliesNothing() {
        s.put(put("a", "1"));
        TxnRequest t = new TxnRequest(List.of(), List.of(
            RequestOp.put(put("x", "1")),
            RequestOp.delete(del("a")),
            RequestOp.put(new PutRequest(b("missing"), Bytes.EMPTY, 0, false, true, false))), List.of());
        expectError(EtcdError.KEY_NOT_FOUND, () -> s.txn(t));
        assertEquals(2, s.currentRevision());
        assertTrue(s.range(get("x")).kvs().isEmpty());
        assertEquals(1, s.range(get("a")).count());
        TxnRequest badLease = new TxnRequest(List.of(), List.of(RequestOp.put(put("x", "1")),
            RequestOp.put(new PutRequest(b("y"), b("1"), 99, false, false, false))), List.of());
        expectError(EtcdError.LEASE_NOT_FOUND, () -> s.txn(badLease));
        assertTrue(s.range(get("x")).kvs().isEmpty());
    }

    @Test
    void txnOpsShareOneRevisionAndReadsSeeEarlierWrites() {
        s.put(put("a", "1"));
        TxnRequest t = new TxnRequest(
            List.of(new Compare(Compare.Result.EQUAL, Compare.Target.VALUE, b("a"), Bytes.EMPTY, 0, b("1"))),
            List.of(RequestOp.range(get("a")), RequestOp.put(put("a", "2")), RequestOp.put(put("b", "1")),
                RequestOp.range(prefix("")), RequestOp.delete(del("b"))),
            List.of());
        TxnResponse r = s.txn(t);
        assertTrue(r.succeeded());
        assertEquals(3, r.revision());
        assertEquals(2, r.responses().get(0).range().revision()); // before any write: the view revision
        assertEquals(3, r.responses().get(1).put().revision());
        assertEquals(3, r.responses().get(3).range().revision()); // after a write: the txn's revision
        assertEquals("[a=2{c2,m3,v2,l0}, b=1{c3,m3,v1,l0}]", show(r.responses().get(3).range().kvs()));
        assertEquals(1, r.responses().get(4).delete().deleted());
        assertEquals(3, s.currentRevision());
        assertTrue(s.range(get("b")).kvs().isEmpty());
    }

    @Test
    void readOnlyTxnKeepsTheRevision() {
        s.put(put("a", "1"));
        TxnResponse r = s.txn(new TxnRequest(List.of(), List.of(RequestOp.range(get("a"))), List.of()));
        assertEquals(2, r.revision());
        assertEquals(2, s.currentRevision());
    }

    @Test
    void compareOnEmptyRangeUsesZeroValuesButValueCompareFails() {
        Compare createIsZero = new Compare(Compare.Result.EQUAL, Compare.Target.CREATE, b("a"), b("z"), 0, null);
        Compare valueIsEmpty = new Compare(Compare.Result.EQUAL, Compare.Target.VALUE, b("a"), Bytes.EMPTY, 0, Bytes.EMPTY);
        assertTrue(s.txn(new TxnRequest(List.of(createIsZero), List.of(), List.of())).succeeded());
        assertFalse(s.txn(new TxnRequest(List.of(valueIsEmpty), List.of(), List.of())).succeeded());
    }

    @Test
    void compareWithRangeEndRequiresEveryKeyToMatch() {
        s.put(put("k1", "1"));
        s.put(put("k2", "1"));
        s.put(put("k2", "2"));
        Compare v1 = new Compare(Compare.Result.EQUAL, Compare.Target.VERSION, b("k"), Bytes.prefixEnd(b("k")), 1, null);
        Compare gt0 = new Compare(Compare.Result.GREATER, Compare.Target.VERSION, b("k"), Bytes.prefixEnd(b("k")), 0, null);
        assertFalse(s.txn(new TxnRequest(List.of(v1), List.of(), List.of())).succeeded());
        assertTrue(s.txn(new TxnRequest(List.of(gt0), List.of(), List.of())).succeeded());
    }

    @Test
    void nestedTxnComparesSeeTheStateBeforeTheTxn() {
        Compare aMissing = new Compare(Compare.Result.EQUAL, Compare.Target.VERSION, b("a"), Bytes.EMPTY, 0, null);
        TxnRequest inner = new TxnRequest(List.of(aMissing), List.of(RequestOp.put(put("b", "inner-success"))),
            List.of(RequestOp.put(put("b", "inner-failure"))));
        TxnResponse r = s.txn(new TxnRequest(List.of(), List.of(RequestOp.put(put("a", "1")), RequestOp.txn(inner)),
            List.of()));
        assertTrue(r.responses().get(1).txn().succeeded());
        assertEquals(0, r.responses().get(1).txn().revision()); // etcd leaves a nested txn's header empty
        assertEquals("b=inner-success{c2,m2,v1,l0}", show(s.range(get("b")).kvs().get(0)));
        assertEquals(2, r.revision());
    }

    @Test
    void compactionErrorsAndHistoricalReads() {
        for (int i = 0; i < 5; i++) {
            s.put(put("k", "v" + i)); // revisions 2..6
        }
        expectError(EtcdError.FUTURE_REV, () -> s.compact(new CompactionRequest(7, true)));
        assertEquals(6, s.compact(new CompactionRequest(4, true)).revision());
        assertEquals(4, s.compactRevision());
        expectError(EtcdError.COMPACTED, () -> s.compact(new CompactionRequest(4, true)));
        expectError(EtcdError.COMPACTED, () -> s.compact(new CompactionRequest(3, true)));
        expectError(EtcdError.COMPACTED, () -> s.range(getAt("k", 3)));
        expectError(EtcdError.FUTURE_REV, () -> s.range(getAt("k", 7)));
        expectError(EtcdError.COMPACTED, () -> s.hashKv(4));
        expectError(EtcdError.FUTURE_REV, () -> s.hashKv(7));
        assertEquals("k=v2{c2,m4,v3,l0}", show(s.range(getAt("k", 4)).kvs().get(0)));
        assertEquals("k=v3{c2,m5,v4,l0}", show(s.range(getAt("k", 5)).kvs().get(0)));
        assertEquals(6, s.range(getAt("k", 4)).revision()); // the header reports the current revision
    }

    @Test
    void compactionDropsATombstoneAtOrBelowTheCompactRevision() {
        s.put(put("k", "1"));
        s.deleteRange(del("k"));
        s.compact(new CompactionRequest(3, true));
        assertTrue(s.range(getAt("k", 3)).kvs().isEmpty());
        s.put(put("k", "2"));
        assertEquals("k=2{c4,m4,v1,l0}", show(s.range(get("k")).kvs().get(0)));
    }

    @Test
    void limitSetsMoreAndCountIsTheTotal() {
        for (String k : List.of("a", "b", "c", "d")) {
            s.put(put(k, k));
        }
        RangeRequest r = new RangeRequest(b("a"), Bytes.FROM_KEY, 2, 0, RangeRequest.SortOrder.NONE,
            RangeRequest.SortTarget.KEY, false, true, false, 0, 0, 0, 0);
        var resp = s.range(r);
        assertEquals("rev=5 count=4 more=true [a={c2,m2,v1,l0}, b={c3,m3,v1,l0}]", show(resp));
        RangeRequest countOnly = new RangeRequest(b("a"), Bytes.FROM_KEY, 2, 0, RangeRequest.SortOrder.NONE,
            RangeRequest.SortTarget.KEY, false, false, true, 0, 0, 0, 0);
        assertEquals("rev=5 count=4 more=false []", show(s.range(countOnly)));
    }

    @Test
    void sortFetchesAllThenTruncatesAndNonKeyTargetDefaultsToAscend() {
        s.put(put("a", "3"));
        s.put(put("b", "1"));
        s.put(put("c", "2"));
        s.put(put("a", "4"));
        RangeRequest byModDesc = new RangeRequest(b("a"), b("d"), 2, 0, RangeRequest.SortOrder.DESCEND,
            RangeRequest.SortTarget.MOD, false, false, false, 0, 0, 0, 0);
        assertEquals("rev=5 count=3 more=true [a=4{c2,m5,v2,l0}, c=2{c4,m4,v1,l0}]", show(s.range(byModDesc)));
        RangeRequest byValueDefault = new RangeRequest(b("a"), b("d"), 0, 0, RangeRequest.SortOrder.NONE,
            RangeRequest.SortTarget.VALUE, false, true, false, 0, 0, 0, 0);
        assertEquals("[b={c3,m3,v1,l0}, c={c4,m4,v1,l0}, a={c2,m5,v2,l0}]", show(s.range(byValueDefault).kvs()));
        RangeRequest keyDesc = new RangeRequest(b("a"), b("d"), 1, 0, RangeRequest.SortOrder.DESCEND,
            RangeRequest.SortTarget.KEY, false, true, false, 0, 0, 0, 0);
        assertEquals("rev=5 count=3 more=true [c={c4,m4,v1,l0}]", show(s.range(keyDesc)));
    }

    @Test
    void modAndCreateFiltersPruneAfterCounting() {
        s.put(put("a", "1"));
        s.put(put("b", "1"));
        s.put(put("c", "1"));
        RangeRequest r = new RangeRequest(b("a"), Bytes.FROM_KEY, 0, 0, RangeRequest.SortOrder.NONE,
            RangeRequest.SortTarget.KEY, false, true, false, 3, 0, 0, 3);
        assertEquals("rev=4 count=3 more=false [b={c3,m3,v1,l0}]", show(s.range(r)));
    }

    @Test
    void deleteRangeWithPrevKvAndFromKey() {
        s.put(put("a", "1"));
        s.put(put("b", "2"));
        var resp = s.deleteRange(new DeleteRangeRequest(b("a"), Bytes.FROM_KEY, true));
        assertEquals(2, resp.deleted());
        assertEquals("[a=1{c2,m2,v1,l0}, b=2{c3,m3,v1,l0}]", show(resp.prevKvs()));
        assertNull(s.put(put("a", "3")).prevKv());
    }
}
