package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Event;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;

/**
 * etcd's watch guarantees checked against an independent model: random puts, deletes, multi-key
 * transactions and lease expiries (keys put under 2 s leases that nobody keeps alive, which the leader
 * revokes between the writer's requests) on a 3-member cluster while watchers start at random
 * revisions on random members,
 * some consuming slowly (so they fall behind and catch up from history). Every watcher's stream must
 * equal the model's history of its range from its start revision — no gap, no duplicate, in order —
 * and no revision may be split across two batches. Bounded: a fixed number of operations and watchers.
 */
class WatchGuaranteeCheckTest {
    static final int OPERATIONS = 300;
    static final int WATCHERS = 24;
    static final int KEYS = 20;
    /** The shortest lease etcd grants with the default timing; nobody keeps these alive. */
    static final long LEASE_TTL = 2;
    static final int LEASE_KEYS = 8;
    /** A pause after each operation, so that the run outlasts the leases and expiries fall between writes. */
    static final long PAUSE_MS = 10;

    @TempDir
    Path dir;

    /** A watcher's range, as etcd's (key, rangeEnd), and its start revision. */
    record Spec(String key, byte[] rangeEnd, long start) {
        boolean covers(String k) {
            return Bytes.inRange(b(k), b(key), rangeEnd);
        }
    }

    /** A watcher consumed by its own thread, optionally slowly. */
    static final class Consumer {
        final Spec spec;
        final Watch watch;
        final List<WatchBatch> batches = new CopyOnWriteArrayList<>();
        final Semaphore signal = new Semaphore(0);
        final Thread thread;
        volatile boolean stop;

        Consumer(EtcdServer server, Spec spec, boolean slow) {
            this.spec = spec;
            this.watch = server.watch(WatchRequest.of(b(spec.key), spec.rangeEnd, spec.start), signal::release);
            this.thread = new Thread(() -> {
                while (!stop) {
                    WatchBatch batch = watch.poll();
                    if (batch == null) {
                        try {
                            signal.tryAcquire(50, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            return;
                        }
                        continue;
                    }
                    batches.add(batch);
                    if (slow) {
                        try {
                            Thread.sleep(3);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            thread.start();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String show(Event e) {
        return e.type() + " " + new String(e.kv().key(), StandardCharsets.UTF_8)
                + (e.type() == Event.Type.PUT ? "=" + new String(e.kv().value(), StandardCharsets.UTF_8) : "") + "@" + e.revision();
    }

    @Test
    void everyWatcherSeesExactlyTheHistoryOfItsRangeFromItsStartRevision() throws Exception {
        long seed = Long.getLong("watch.check.seed", System.nanoTime()); // -Dwatch.check.seed=N replays a run
        System.out.println("watch guarantee check seed " + seed);
        Random random = new Random(seed);
        try (LocalCluster cluster = LocalCluster.start(dir, 3, "watch-check")) {
            EtcdServer writer = cluster.member(cluster.awaitLeader()).server();
            TreeMap<String, String> model = new TreeMap<>();
            List<String> history = new ArrayList<>(); // "rev|key|event" in (revision, sub) order
            List<Consumer> consumers = new ArrayList<>();
            Model m = new Model(writer, history, model);
            for (int op = 0; op < OPERATIONS; op++) {
                int kind = random.nextInt(12);
                if (kind >= 10) {
                    // a put under a fresh short lease, which will expire by itself
                    long lease = writer.leaseGrant(LEASE_TTL, 0).get(30, TimeUnit.SECONDS).id();
                    // keys of their own (k20.., which a delete of prefix "k2" also reaches), so most live to expire
                    String k = "k" + (KEYS + random.nextInt(LEASE_KEYS));
                    long rev = writer.put(new PutRequest(b(k), b("l" + op), lease, false, false, false)).get(30, TimeUnit.SECONDS).revision();
                    m.wrote(rev, List.<String[]>of(new String[] {k, "l" + op}), lease);
                } else if (kind < 5) {
                    String k = "k" + random.nextInt(KEYS);
                    String v = "v" + op;
                    long rev = writer.put(PutRequest.of(b(k), b(v))).get(30, TimeUnit.SECONDS).revision();
                    m.wrote(rev, List.<String[]>of(new String[] {k, v}), 0);
                } else if (kind < 7) {
                    String prefix = "k" + random.nextInt(KEYS);
                    var resp = writer.deleteRange(new DeleteRangeRequest(b(prefix), Bytes.prefixEnd(b(prefix)), true))
                            .get(30, TimeUnit.SECONDS);
                    List<String[]> changes = new ArrayList<>();
                    resp.prevKvs().forEach(kv -> changes.add(new String[] {new String(kv.key(), StandardCharsets.UTF_8), null}));
                    if (changes.isEmpty()) {
                        m.nothingWritten(resp.revision());
                    } else {
                        m.wrote(resp.revision(), changes, 0);
                    }
                } else {
                    List<RequestOp> ops = new ArrayList<>();
                    List<String[]> intended = new ArrayList<>();
                    List<Integer> picked = new ArrayList<>();
                    while (picked.size() < 2 + random.nextInt(3)) {
                        int k = random.nextInt(KEYS);
                        if (!picked.contains(k)) {
                            picked.add(k);
                        }
                    }
                    for (int k : picked) {
                        String key = "k" + k;
                        if (random.nextBoolean() && model.containsKey(key)) {
                            ops.add(RequestOp.delete(new DeleteRangeRequest(b(key), Bytes.EMPTY, false)));
                            intended.add(new String[] {key, null});
                        } else {
                            ops.add(RequestOp.put(PutRequest.of(b(key), b("t" + op))));
                            intended.add(new String[] {key, "t" + op});
                        }
                    }
                    var resp = writer.txn(new TxnRequest(List.of(), ops, List.of())).get(30, TimeUnit.SECONDS);
                    List<String[]> changes = new ArrayList<>();
                    for (int i = 0; i < intended.size(); i++) {
                        // a delete finds nothing if the key's lease expired just before: the server says so
                        var deleted = resp.responses().get(i).delete();
                        if (deleted == null || deleted.deleted() > 0) {
                            changes.add(intended.get(i));
                        }
                    }
                    if (changes.isEmpty()) {
                        m.nothingWritten(resp.revision());
                    } else {
                        m.wrote(resp.revision(), changes, 0);
                    }
                }
                Thread.sleep(PAUSE_MS);
                if (consumers.size() < WATCHERS && random.nextInt(OPERATIONS / WATCHERS) == 0) {
                    consumers.add(startWatcher(cluster, random, m.revision));
                }
            }
            while (consumers.size() < WATCHERS) {
                consumers.add(startWatcher(cluster, random, m.revision));
            }
            // One last leased key that nothing overwrites or deletes: whether the random keys' leases expire before a
            // later put or delete reaches them depends on timing (a CI run saw none expire), this one's must.
            long lastLease = writer.leaseGrant(LEASE_TTL, 0).get(30, TimeUnit.SECONDS).id();
            String lastKey = "k" + KEYS;
            long lastRev = writer.put(new PutRequest(b(lastKey), b("last"), lastLease, false, false, false)).get(30, TimeUnit.SECONDS).revision();
            m.wrote(lastRev, List.<String[]>of(new String[] {lastKey, "last"}), lastLease);
            m.awaitExpiries();
            long last = m.revision;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (Consumer c : consumers) {
                while (c.watch.progressRevision() < last) {
                    assertTrue(System.nanoTime() < deadline, "watcher " + c.spec + " reached " + c.watch.progressRevision() + " of " + last);
                    Thread.sleep(20);
                }
                c.stop = true;
                c.thread.join();
                for (WatchBatch left = c.watch.poll(); left != null; left = c.watch.poll()) {
                    c.batches.add(left);
                }
                c.watch.close();
            }
            for (Consumer c : consumers) {
                List<String> expected = new ArrayList<>();
                for (String h : history) {
                    String[] parts = h.split("\\|", 3);
                    if (Long.parseLong(parts[0]) >= c.spec.start && c.spec.covers(parts[1])) {
                        expected.add(parts[2]);
                    }
                }
                List<String> got = new ArrayList<>();
                long lastOfPreviousBatch = 0;
                for (WatchBatch batch : c.batches) {
                    if (!batch.events().isEmpty()) {
                        assertTrue(batch.events().get(0).revision() > lastOfPreviousBatch,
                                "revision " + lastOfPreviousBatch + " split across batches for " + c.spec);
                        lastOfPreviousBatch = batch.events().get(batch.events().size() - 1).revision();
                    }
                    batch.events().forEach(e -> got.add(show(e)));
                }
                assertEquals(expected, got, "stream of watcher " + c.spec.key + " from " + c.spec.start + " (seed " + seed + ")");
            }
            assertTrue(m.expiries > 0, "some leases expired during the run (seed " + seed + ")");
            System.out.println("watch guarantee check: " + OPERATIONS + " operations and " + m.expiries
                    + " lease expiries up to revision " + last + ", "
                    + consumers.size() + " watchers, " + consumers.stream().mapToInt(c -> c.batches.size()).sum() + " batches");
        }
    }

    /**
     * The model's history, revision by revision. The writer is the only client, so a revision between
     * two of its own must be a lease expiry; which lease is found by reading its keys just before and at
     * that revision, and the model then deletes all of that lease's keys there (in key order).
     */
    static final class Model {
        final EtcdServer server;
        final List<String> history;
        final TreeMap<String, String> values;
        final Map<String, Long> leaseOf = new java.util.HashMap<>();
        long revision;
        int expiries;

        Model(EtcdServer server, List<String> history, TreeMap<String, String> values) {
            this.server = server;
            this.history = history;
            this.values = values;
            this.revision = server.currentRevision();
        }

        /** One of our requests wrote {@code changes} at {@code rev} (keys put under {@code lease}, 0: none). */
        void wrote(long rev, List<String[]> changes, long lease) throws Exception {
            explainExpiries(rev - 1);
            for (String[] c : changes) {
                leaseOf.remove(c[0]);
                if (c[1] == null) {
                    values.remove(c[0]);
                    history.add(rev + "|" + c[0] + "|DELETE " + c[0] + "@" + rev);
                } else {
                    values.put(c[0], c[1]);
                    if (lease != 0) {
                        leaseOf.put(c[0], lease);
                    }
                    history.add(rev + "|" + c[0] + "|PUT " + c[0] + "=" + c[1] + "@" + rev);
                }
            }
            revision = rev;
        }

        /** One of our requests wrote nothing; the store was at {@code rev}. */
        void nothingWritten(long rev) throws Exception {
            explainExpiries(rev);
        }

        /** Waits until every lease holding keys has expired, then accounts for those revisions. */
        void awaitExpiries() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!leaseOf.isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "leases not expired: " + leaseOf);
                Thread.sleep(200);
                explainExpiries(server.range(org.ketcd.api.RangeRequest.of(b("probe"), Bytes.EMPTY)).get(30, TimeUnit.SECONDS).revision());
            }
        }

        private void explainExpiries(long upTo) throws Exception {
            for (long r = revision + 1; r <= upTo; r++) {
                long expired = 0;
                for (Map.Entry<String, Long> held : leaseOf.entrySet()) {
                    if (liveAt(held.getKey(), r - 1) && !liveAt(held.getKey(), r)) {
                        expired = held.getValue();
                        break;
                    }
                }
                assertTrue(expired != 0, "revision " + r + " is neither the writer's nor a lease expiry");
                long lease = expired;
                List<String> keys = leaseOf.entrySet().stream().filter(e -> e.getValue() == lease).map(Map.Entry::getKey).sorted().toList();
                for (String k : keys) {
                    leaseOf.remove(k);
                    values.remove(k);
                    history.add(r + "|" + k + "|DELETE " + k + "@" + r);
                }
                expiries++;
                revision = r;
            }
        }

        private boolean liveAt(String key, long rev) throws Exception {
            var read = new org.ketcd.api.RangeRequest(b(key), Bytes.EMPTY, 0, rev, org.ketcd.api.RangeRequest.SortOrder.NONE,
                    org.ketcd.api.RangeRequest.SortTarget.KEY, false, false, false, 0, 0, 0, 0);
            return server.range(read).get(30, TimeUnit.SECONDS).count() == 1;
        }
    }

    private static Consumer startWatcher(LocalCluster cluster, Random random, long currentRevision) {
        Spec spec = switch (random.nextInt(4)) {
            case 0 -> new Spec("k" + random.nextInt(KEYS), Bytes.EMPTY, 0);
            case 1 -> new Spec("k1", Bytes.prefixEnd(b("k1")), 0);
            case 2 -> new Spec("k5", Bytes.FROM_KEY, 0);
            default -> new Spec("\0", Bytes.FROM_KEY, 0);
        };
        long start = 1 + random.nextInt((int) currentRevision + 3); // history, now, or the near future
        spec = new Spec(spec.key, spec.rangeEnd, start);
        EtcdServer server = cluster.member(random.nextInt(3)).server();
        return new Consumer(server, spec, random.nextInt(3) == 0);
    }
}
