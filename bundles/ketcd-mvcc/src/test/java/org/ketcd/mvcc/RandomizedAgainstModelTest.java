package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.ketcd.mvcc.Kv.b;
import static org.ketcd.mvcc.Kv.show;
import static org.ketcd.mvcc.Kv.str;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.RequestOp;
import org.ketcd.api.ResponseOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;

/**
 * Seeded random put/delete/txn/compact/range sequences on a small key space, checked step by step
 * against a naive model that keeps a full copy of the key space for every revision (etcd 3.4 rules).
 */
class RandomizedAgainstModelTest {
    /** A value cache of a few values: most reads go to Derby, as with a data set far larger than the cache. */
    static final MvccOptions SMALL_CACHE = new MvccOptions(4 * 1024);


    private static final long TIME_BUDGET_MILLIS = 4_000;
    private static final String[] KEYS = {"a", "ab", "b", "ba", "c", "d", "\u00ff"};

    @TempDir
    Path dir;

    /** Naive model: states.get(rev) is the whole live key space at that revision. */
    static final class Model {
        final List<TreeMap<String, KeyValue>> states = new ArrayList<>();
        long compactRev = -1;

        Model() {
            states.add(new TreeMap<>()); // revision 0, unused
            states.add(new TreeMap<>()); // revision 1: fresh store
        }

        long rev() {
            return states.size() - 1;
        }

        TreeMap<String, KeyValue> at(long rev) {
            return states.get((int) rev);
        }
    }

    @Test
    void storeMatchesEtcdModelOnRandomOperations() throws Exception {
        long start = System.currentTimeMillis();
        long baseSeed = Long.getLong("ketcd.seed", System.nanoTime());
        int round = 0;
        while (System.currentTimeMillis() - start < TIME_BUDGET_MILLIS) {
            long seed = baseSeed + round;
            Path storeDir = dir.resolve("s" + round++);
            try {
                runOne(seed, storeDir);
            } catch (Throwable t) {
                throw new AssertionError("failed with seed " + seed + " (rerun with -Dketcd.seed=" + seed + ")", t);
            }
        }
    }

    private void runOne(long seed, Path storeDir) {
        Random rnd = new Random(seed);
        Model m = new Model();
        MvccStore s = MvccStore.open(storeDir, SMALL_CACHE);
        try {
            for (int step = 0; step < 150; step++) {
                int op = rnd.nextInt(100);
                if (op < 30) {
                    doPut(rnd, m, s);
                } else if (op < 42) {
                    doDelete(rnd, m, s);
                } else if (op < 60) {
                    doTxn(rnd, m, s);
                } else if (op < 66) {
                    doCompact(rnd, m, s);
                } else if (op < 68) {
                    s.commit();
                    s.close();
                    s = MvccStore.open(storeDir, SMALL_CACHE);
                } else {
                    doRange(rnd, m, s);
                }
                assertEquals(m.rev(), s.currentRevision(), "current revision");
            }
        } finally {
            s.close();
        }
    }

    private static String key(Random rnd) {
        return KEYS[rnd.nextInt(KEYS.length)];
    }

    // ---- model operations (on a working copy at a given revision)

    private static KeyValue modelPut(TreeMap<String, KeyValue> w, String k, String v, long rev) {
        KeyValue prev = w.get(k);
        KeyValue kv = new KeyValue(b(k), prev == null ? rev : prev.createRevision(), rev,
            prev == null ? 1 : prev.version() + 1, b(v), 0);
        w.put(k, kv);
        return prev;
    }

    private static List<KeyValue> inRange(TreeMap<String, KeyValue> w, byte[] key, byte[] end) {
        List<KeyValue> out = new ArrayList<>();
        for (KeyValue kv : w.values()) {
            if (Bytes.inRange(kv.key(), key, end)) {
                out.add(kv);
            }
        }
        out.sort((x, y) -> Bytes.compare(x.key(), y.key()));
        return out;
    }

    private void doPut(Random rnd, Model m, MvccStore s) {
        String k = key(rnd);
        String v = "v" + rnd.nextInt(5);
        boolean ignoreValue = rnd.nextInt(6) == 0;
        PutRequest req = new PutRequest(b(k), ignoreValue ? Bytes.EMPTY : b(v), 0, rnd.nextBoolean(), ignoreValue, false);
        TreeMap<String, KeyValue> w = new TreeMap<>(m.at(m.rev()));
        if (ignoreValue && !w.containsKey(k)) {
            expectError(EtcdError.KEY_NOT_FOUND, () -> s.put(req));
            return;
        }
        long rev = m.rev() + 1;
        KeyValue prev = modelPut(w, k, ignoreValue ? str(w.get(k).value()) : v, rev);
        m.states.add(w);
        var resp = s.put(req);
        assertEquals(rev, resp.revision());
        assertEquals(show(req.prevKv() ? prev : null), show(resp.prevKv()));
    }

    private byte[][] randomRange(Random rnd) {
        String k = key(rnd);
        return switch (rnd.nextInt(4)) {
            case 0 -> new byte[][] {b(k), Bytes.EMPTY};
            case 1 -> new byte[][] {b(k), Bytes.prefixEnd(b(k))};
            case 2 -> new byte[][] {b(k), Bytes.FROM_KEY};
            default -> new byte[][] {b(k), b(key(rnd))};
        };
    }

    private void doDelete(Random rnd, Model m, MvccStore s) {
        byte[][] r = randomRange(rnd);
        boolean prevKv = rnd.nextBoolean();
        TreeMap<String, KeyValue> w = new TreeMap<>(m.at(m.rev()));
        List<KeyValue> victims = inRange(w, r[0], r[1]);
        var resp = s.deleteRange(new DeleteRangeRequest(r[0], r[1], prevKv));
        assertEquals(victims.size(), resp.deleted());
        assertEquals(show(prevKv ? victims : List.of()), show(resp.prevKvs()));
        if (!victims.isEmpty()) {
            victims.forEach(kv -> w.remove(str(kv.key())));
            m.states.add(w);
        }
        assertEquals(m.rev(), resp.revision());
    }

    private void doCompact(Random rnd, Model m, MvccStore s) {
        long rev = m.compactRev - 1 + rnd.nextInt((int) (m.rev() - m.compactRev) + 3);
        if (rev <= m.compactRev) {
            expectError(EtcdError.COMPACTED, () -> s.compact(new CompactionRequest(rev, true)));
        } else if (rev > m.rev()) {
            expectError(EtcdError.FUTURE_REV, () -> s.compact(new CompactionRequest(rev, true)));
        } else {
            assertEquals(m.rev(), s.compact(new CompactionRequest(rev, rnd.nextBoolean())).revision());
            m.compactRev = rev;
            assertEquals(rev, s.compactRevision());
        }
    }

    private void doRange(Random rnd, Model m, MvccStore s) {
        byte[][] r = randomRange(rnd);
        long rev = rnd.nextInt(3) == 0 ? 0 : Math.max(0, m.compactRev) - 1 + rnd.nextInt((int) (m.rev() - Math.max(0, m.compactRev)) + 3);
        RangeRequest.SortOrder order = RangeRequest.SortOrder.values()[rnd.nextInt(3)];
        RangeRequest.SortTarget target = RangeRequest.SortTarget.values()[rnd.nextInt(5)];
        long limit = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(4);
        boolean keysOnly = rnd.nextInt(4) == 0;
        boolean countOnly = rnd.nextInt(6) == 0;
        long minMod = rnd.nextInt(4) == 0 ? rnd.nextInt((int) m.rev() + 1) : 0;
        long maxMod = rnd.nextInt(4) == 0 ? rnd.nextInt((int) m.rev() + 1) : 0;
        long minCreate = rnd.nextInt(4) == 0 ? rnd.nextInt((int) m.rev() + 1) : 0;
        long maxCreate = rnd.nextInt(4) == 0 ? rnd.nextInt((int) m.rev() + 1) : 0;
        RangeRequest req = new RangeRequest(r[0], r[1], limit, rev, order, target, rnd.nextBoolean(), keysOnly,
            countOnly, minMod, maxMod, minCreate, maxCreate);
        if (rev > m.rev()) {
            expectError(EtcdError.FUTURE_REV, () -> s.range(req));
            return;
        }
        long at = rev <= 0 ? m.rev() : rev;
        if (at < m.compactRev) {
            expectError(EtcdError.COMPACTED, () -> s.range(req));
            return;
        }
        assertEquals(show(modelRange(m.at(at), req, m.rev())), show(s.range(req)), "range " + str(r[0]) + ".." + str(r[1]));
    }

    /** etcd 3.4 apply.go Range, written out naively. */
    static RangeResponse modelRange(TreeMap<String, KeyValue> state, RangeRequest req, long headerRev) {
        List<KeyValue> all = inRange(state, req.key(), req.rangeEnd());
        if (req.countOnly()) {
            return new RangeResponse(headerRev, List.of(), false, all.size());
        }
        List<KeyValue> kvs = new ArrayList<>();
        for (KeyValue kv : all) {
            if (req.maxModRevision() != 0 && kv.modRevision() > req.maxModRevision()
                || req.minModRevision() != 0 && kv.modRevision() < req.minModRevision()
                || req.maxCreateRevision() != 0 && kv.createRevision() > req.maxCreateRevision()
                || req.minCreateRevision() != 0 && kv.createRevision() < req.minCreateRevision()) {
                continue;
            }
            kvs.add(kv);
        }
        RangeRequest.SortOrder order = req.sortOrder();
        if (order == RangeRequest.SortOrder.NONE && req.sortTarget() != RangeRequest.SortTarget.KEY) {
            order = RangeRequest.SortOrder.ASCEND;
        }
        if (order != RangeRequest.SortOrder.NONE) {
            Comparator<KeyValue> c = switch (req.sortTarget()) {
                case KEY -> (x, y) -> Bytes.compare(x.key(), y.key());
                case VERSION -> Comparator.comparingLong(KeyValue::version);
                case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
                case MOD -> Comparator.comparingLong(KeyValue::modRevision);
                case VALUE -> (x, y) -> Bytes.compare(x.value(), y.value());
            };
            kvs.sort(order == RangeRequest.SortOrder.DESCEND ? c.reversed() : c);
        }
        boolean more = req.limit() > 0 && kvs.size() > req.limit();
        if (more) {
            kvs = kvs.subList(0, (int) req.limit());
        }
        List<KeyValue> out = new ArrayList<>();
        kvs.forEach(kv -> out.add(req.keysOnly() ? kv.withoutValue() : kv));
        return new RangeResponse(headerRev, out, more, all.size());
    }

    private void doTxn(Random rnd, Model m, MvccStore s) {
        TreeMap<String, KeyValue> before = m.at(m.rev());
        List<Compare> compares = new ArrayList<>();
        for (int i = rnd.nextInt(3); i > 0; i--) {
            byte[][] r = rnd.nextInt(3) == 0 ? randomRange(rnd) : new byte[][] {b(key(rnd)), Bytes.EMPTY};
            Compare.Target target = Compare.Target.values()[rnd.nextInt(4)]; // VERSION, CREATE, MOD, VALUE
            compares.add(new Compare(Compare.Result.values()[rnd.nextInt(4)], target, r[0], r[1],
                rnd.nextInt((int) m.rev() + 2), b("v" + rnd.nextInt(5))));
        }
        List<String> keys = new ArrayList<>(List.of(KEYS));
        java.util.Collections.shuffle(keys, rnd);
        List<RequestOp> success = randomOps(rnd, keys.subList(0, 3));
        List<RequestOp> failure = randomOps(rnd, keys.subList(3, 6));
        TxnRequest req = new TxnRequest(compares, success, failure);

        boolean ok = compares.stream().allMatch(c -> modelCompare(before, c));
        List<RequestOp> ops = ok ? success : failure;
        for (RequestOp op : ops) {
            if (op.put() != null && op.put().ignoreValue() && !before.containsKey(str(op.put().key()))) {
                expectError(EtcdError.KEY_NOT_FOUND, () -> s.txn(req));
                return;
            }
        }
        TreeMap<String, KeyValue> w = new TreeMap<>(before);
        long begin = m.rev();
        int changes = 0;
        List<String> expected = new ArrayList<>();
        for (RequestOp op : ops) {
            if (op.range() != null) {
                long rr = changes > 0 ? begin + 1 : begin;
                expected.add(show(modelRange(w, op.range(), rr)));
            } else if (op.put() != null) {
                String k = str(op.put().key());
                String v = op.put().ignoreValue() ? str(w.get(k).value()) : str(op.put().value());
                KeyValue prev = modelPut(w, k, v, begin + 1);
                changes++;
                expected.add("put rev=" + (begin + 1) + " prev=" + show(op.put().prevKv() ? prev : null));
            } else {
                List<KeyValue> victims = inRange(w, op.delete().key(), op.delete().rangeEnd());
                victims.forEach(kv -> w.remove(str(kv.key())));
                changes += victims.size();
                expected.add("del rev=" + (changes > 0 ? begin + 1 : begin) + " n=" + victims.size()
                    + " prev=" + show(op.delete().prevKv() ? victims : List.of()));
            }
        }
        if (changes > 0) {
            m.states.add(w);
        }
        TxnResponse resp = s.txn(req);
        assertEquals(ok, resp.succeeded());
        assertEquals(m.rev(), resp.revision());
        List<String> actual = new ArrayList<>();
        for (ResponseOp r : resp.responses()) {
            if (r.range() != null) {
                actual.add(show(r.range()));
            } else if (r.put() != null) {
                actual.add("put rev=" + r.put().revision() + " prev=" + show(r.put().prevKv()));
            } else {
                actual.add("del rev=" + r.delete().revision() + " n=" + r.delete().deleted() + " prev="
                    + show(r.delete().prevKvs()));
            }
        }
        assertEquals(expected, actual);
    }

    /** Ops on distinct keys (the server rejects duplicates); ranges may read anything. */
    private List<RequestOp> randomOps(Random rnd, List<String> keys) {
        List<RequestOp> ops = new ArrayList<>();
        for (String k : keys) {
            switch (rnd.nextInt(4)) {
                case 0 -> ops.add(RequestOp.put(new PutRequest(b(k), b("t" + rnd.nextInt(3)), 0, rnd.nextBoolean(),
                    false, false)));
                case 1 -> ops.add(RequestOp.put(new PutRequest(b(k), Bytes.EMPTY, 0, false, rnd.nextInt(3) == 0,
                    false)));
                case 2 -> ops.add(RequestOp.delete(new DeleteRangeRequest(b(k), Bytes.EMPTY, rnd.nextBoolean())));
                default -> {
                    byte[][] r = randomRange(rnd);
                    ops.add(RequestOp.range(RangeRequest.of(r[0], r[1])));
                }
            }
        }
        // a put without ignore_value but an empty value is a plain put of ""
        return ops;
    }

    static boolean modelCompare(TreeMap<String, KeyValue> state, Compare c) {
        List<KeyValue> kvs = inRange(state, c.key(), c.rangeEnd());
        if (kvs.isEmpty()) {
            if (c.target() == Compare.Target.VALUE) {
                return false;
            }
            kvs = List.of(new KeyValue(c.key(), 0, 0, 0, Bytes.EMPTY, 0));
        }
        for (KeyValue kv : kvs) {
            int r = switch (c.target()) {
                case VALUE -> Integer.signum(Bytes.compare(kv.value(), c.value()));
                case CREATE -> Long.compare(kv.createRevision(), c.number());
                case MOD -> Long.compare(kv.modRevision(), c.number());
                case VERSION -> Long.compare(kv.version(), c.number());
                case LEASE -> Long.compare(kv.lease(), c.number());
            };
            boolean holds = switch (c.result()) {
                case EQUAL -> r == 0;
                case NOT_EQUAL -> r != 0;
                case GREATER -> r > 0;
                case LESS -> r < 0;
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    static void expectError(EtcdError error, Runnable r) {
        try {
            r.run();
            fail("expected " + error);
        } catch (EtcdException e) {
            assertEquals(error, e.error());
        }
    }

}
