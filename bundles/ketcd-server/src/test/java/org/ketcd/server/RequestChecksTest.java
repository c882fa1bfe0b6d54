package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ketcd.api.Bytes;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.junit.jupiter.api.function.Executable;

class RequestChecksTest {

    private static RequestOp put(String k) {
        return RequestOp.put(PutRequest.of(Bytes.utf8(k), Bytes.utf8("v")));
    }

    private static RequestOp del(String k, String end) {
        return RequestOp.delete(new DeleteRangeRequest(Bytes.utf8(k), Bytes.utf8(end), false));
    }

    private static TxnRequest txn(List<RequestOp> success, List<RequestOp> failure) {
        return new TxnRequest(List.of(), success, failure);
    }

    private static void assertRefused(EtcdError expected, Executable check) {
        EtcdException e = assertThrows(EtcdException.class, check);
        assertEquals(expected, e.error());
    }

    @Test
    void emptyKeyIsRefused() {
        assertRefused(EtcdError.EMPTY_KEY, () -> RequestChecks.checkPut(PutRequest.of(Bytes.EMPTY, Bytes.utf8("v"))));
    }

    @Test
    void ignoreValueWithAValueIsRefused() {
        assertRefused(EtcdError.VALUE_PROVIDED, () -> RequestChecks.checkPut(
                new PutRequest(Bytes.utf8("k"), Bytes.utf8("v"), 0, false, true, false)));
    }

    @Test
    void ignoreLeaseWithALeaseIsRefused() {
        assertRefused(EtcdError.LEASE_PROVIDED, () -> RequestChecks.checkPut(
                new PutRequest(Bytes.utf8("k"), Bytes.EMPTY, 5, false, false, true)));
    }

    @Test
    void moreOpsThanMaxTxnOpsIsRefused() {
        List<RequestOp> ops = Collections.nCopies(3, RequestOp.range(org.ketcd.api.RangeRequest.of(Bytes.utf8("a"), Bytes.EMPTY)));
        assertRefused(EtcdError.TOO_MANY_OPS, () -> RequestChecks.checkTxn(txn(ops, List.of()), 2));
        assertDoesNotThrow(() -> RequestChecks.checkTxn(txn(ops, List.of()), 3));
    }

    @Test
    void theSameKeyPutTwiceInOneBranchIsADuplicate() {
        assertRefused(EtcdError.DUPLICATE_KEY, () -> RequestChecks.checkTxn(txn(List.of(put("a"), put("a")), List.of()), 128));
    }

    @Test
    void aKeyPutInSuccessAndInFailureIsFine() {
        assertDoesNotThrow(() -> RequestChecks.checkTxn(txn(List.of(put("a")), List.of(put("a"))), 128));
    }

    @Test
    void puttingAKeyInsideADeletedRangeIsADuplicate() {
        assertRefused(EtcdError.DUPLICATE_KEY, () -> RequestChecks.checkTxn(txn(List.of(del("a", "c"), put("b")), List.of()), 128));
        assertDoesNotThrow(() -> RequestChecks.checkTxn(txn(List.of(del("a", "c"), put("c")), List.of()), 128));
    }

    @Test
    void nestedThenAndElseMayPutTheSameKeyButNotTheOuterLevel() {
        TxnRequest nested = txn(List.of(put("x")), List.of(put("x")));
        assertDoesNotThrow(() -> RequestChecks.checkTxn(txn(List.of(RequestOp.txn(nested)), List.of()), 128));
        assertRefused(EtcdError.DUPLICATE_KEY, () -> RequestChecks.checkTxn(
                txn(List.of(RequestOp.txn(nested), put("x")), List.of()), 128));
    }

    @Test
    void aNestedPutUnderAnOuterDeleteIsADuplicate() {
        TxnRequest nested = txn(List.of(put("b")), List.of());
        assertRefused(EtcdError.DUPLICATE_KEY, () -> RequestChecks.checkTxn(
                txn(List.of(del("a", "z"), RequestOp.txn(nested)), List.of()), 128));
    }

    @Test
    void nestedTransactionsCountAgainstMaxTxnOpsToo() {
        List<RequestOp> ops = Collections.nCopies(3, put("a"));
        TxnRequest nested = new TxnRequest(List.of(), List.of(), ops);
        assertRefused(EtcdError.TOO_MANY_OPS, () -> RequestChecks.checkTxn(txn(List.of(RequestOp.txn(nested)), List.of()), 2));
    }

    @Test
    void aNestedTransactionGetsTheOpsItsParentLeftAsInEtcd34() {
        // measured on etcd 3.4.23, --max-txn-ops 128: 99 puts + a nested txn (100 ops) leave 28 for the nested one;
        // 100 compares and 2 ops leave 28 as well: the parent's largest count is what counts
        List<RequestOp> parent = new ArrayList<>(puts("p", 99));
        parent.add(RequestOp.txn(txn(puts("n", 28), List.of())));
        assertDoesNotThrow(() -> RequestChecks.checkTxn(txn(parent, List.of()), 128));
        parent.set(99, RequestOp.txn(txn(puts("n", 29), List.of())));
        assertRefused(EtcdError.TOO_MANY_OPS, () -> RequestChecks.checkTxn(txn(parent, List.of()), 128));
        List<Compare> compares = Collections.nCopies(100,
                new Compare(Compare.Result.EQUAL, Compare.Target.VERSION, Bytes.utf8("c"), Bytes.EMPTY, 0, null));
        assertDoesNotThrow(() -> RequestChecks.checkTxn(new TxnRequest(compares,
                List.of(put("x"), RequestOp.txn(txn(puts("n", 28), List.of()))), List.of()), 128));
        assertRefused(EtcdError.TOO_MANY_OPS, () -> RequestChecks.checkTxn(new TxnRequest(compares,
                List.of(put("x"), RequestOp.txn(txn(puts("n", 29), List.of()))), List.of()), 128));
    }

    private static List<RequestOp> puts(String prefix, int n) {
        List<RequestOp> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(put(prefix + i));
        }
        return ops;
    }

    @Test
    void nestingDeeperThanMaxTxnOpsPlusOneIsTooManyOps() {
        assertDoesNotThrow(() -> RequestChecks.checkTxn(nest(129), 128));
        assertRefused(EtcdError.TOO_MANY_OPS, () -> RequestChecks.checkTxn(nest(130), 128));
    }

    /** {@code depth} transactions, each the only operation of its parent's success branch, the innermost empty. */
    private static TxnRequest nest(int depth) {
        TxnRequest t = txn(List.of(), List.of());
        for (int i = 1; i < depth; i++) {
            t = txn(List.of(RequestOp.txn(t)), List.of());
        }
        return t;
    }
}
