package org.ketcd.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ketcd.api.Bytes;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;

/**
 * The argument checks etcd makes before a request reaches Raft (its v3rpc {@code check*Request}
 * functions), so a refused request is never proposed and never half-applied.
 */
final class RequestChecks {
    private RequestChecks() {
    }

    static void checkRange(RangeRequest r) {
        if (r.key().length == 0) {
            throw EtcdError.EMPTY_KEY.exception();
        }
    }

    static void checkPut(PutRequest r) {
        if (r.key().length == 0) {
            throw EtcdError.EMPTY_KEY.exception();
        }
        if (r.ignoreValue() && r.value().length != 0) {
            throw EtcdError.VALUE_PROVIDED.exception();
        }
        if (r.ignoreLease() && r.lease() != 0) {
            throw EtcdError.LEASE_PROVIDED.exception();
        }
    }

    static void checkDelete(DeleteRangeRequest r) {
        if (r.key().length == 0) {
            throw EtcdError.EMPTY_KEY.exception();
        }
    }

    /**
     * --max-txn-ops bounds the compares and each branch; a nested transaction gets what its parent left
     * (etcd 3.4 checks it against maxTxnOps minus the parent's largest count), so nesting is at most
     * --max-txn-ops + 1 levels deep.
     */
    static void checkTxn(TxnRequest r, int maxTxnOps) {
        checkTxnOps(r, maxTxnOps);
        checkIntervals(r.success());
        checkIntervals(r.failure());
    }

    private static void checkTxnOps(TxnRequest r, int maxTxnOps) {
        int ops = Math.max(r.compare().size(), Math.max(r.success().size(), r.failure().size()));
        if (ops > maxTxnOps) {
            throw EtcdError.TOO_MANY_OPS.exception();
        }
        for (List<RequestOp> branch : List.of(r.success(), r.failure())) {
            for (RequestOp op : branch) {
                if (op.range() != null) {
                    checkRange(op.range());
                } else if (op.put() != null) {
                    checkPut(op.put());
                } else if (op.delete() != null) {
                    checkDelete(op.delete());
                } else if (op.txn() != null) {
                    checkTxnOps(op.txn(), maxTxnOps - ops);
                }
            }
        }
    }

    private record Interval(byte[] key, byte[] rangeEnd) {
        boolean contains(byte[] k) {
            return Bytes.inRange(k, key, rangeEnd);
        }
    }

    private record Writes(Set<String> puts, List<Interval> deletes) {
        boolean deletes(byte[] key) {
            return deletes.stream().anyMatch(d -> d.contains(key));
        }
    }

    /**
     * etcd's duplicate-key rule: within one branch (nested transactions included) a key may not be put
     * twice, nor put and deleted; the then/else branches of a nested transaction may put the same key
     * because only one of them runs.
     */
    private static Writes checkIntervals(List<RequestOp> ops) {
        List<Interval> deletes = new ArrayList<>();
        for (RequestOp op : ops) {
            if (op.delete() != null) {
                deletes.add(new Interval(op.delete().key(), op.delete().rangeEnd()));
            }
        }
        Writes level = new Writes(new HashSet<>(), deletes);
        for (RequestOp op : ops) {
            if (op.txn() == null) {
                continue;
            }
            Writes then = checkIntervals(op.txn().success());
            Writes otherwise = checkIntervals(op.txn().failure());
            for (String k : then.puts()) {
                addPut(level, k);
            }
            for (String k : otherwise.puts()) {
                if (level.puts().contains(k) && !then.puts().contains(k)) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                if (level.deletes(key(k))) {
                    throw EtcdError.DUPLICATE_KEY.exception();
                }
                level.puts().add(k);
            }
            deletes.addAll(then.deletes());
            deletes.addAll(otherwise.deletes());
        }
        for (RequestOp op : ops) {
            if (op.put() != null) {
                addPut(level, string(op.put().key()));
            }
        }
        return level;
    }

    private static void addPut(Writes level, String k) {
        if (!level.puts().add(k) || level.deletes(key(k))) {
            throw EtcdError.DUPLICATE_KEY.exception();
        }
    }

    // Keys as ISO-8859-1 strings: a lossless, comparable set element for arbitrary bytes.
    private static String string(byte[] key) {
        return new String(key, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static byte[] key(String k) {
        return k.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
