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
 * etcd's watch guarantees checked against an independent model: random puts, deletes and multi-key
 * transactions on a 3-member cluster while watchers start at random revisions on random members,
 * some consuming slowly (so they fall behind and catch up from history). Every watcher's stream must
 * equal the model's history of its range from its start revision — no gap, no duplicate, in order —
 * and no revision may be split across two batches. Bounded: a fixed number of operations and watchers.
 */
class WatchGuaranteeCheckTest {
    static final int OPERATIONS = 300;
    static final int WATCHERS = 24;
    static final int KEYS = 20;

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
        long seed = System.nanoTime();
        System.out.println("watch guarantee check seed " + seed);
        Random random = new Random(seed);
        try (LocalCluster cluster = LocalCluster.start(dir, 3, "watch-check")) {
            EtcdServer writer = cluster.member(cluster.awaitLeader()).server();
            TreeMap<String, String> model = new TreeMap<>();
            List<String> history = new ArrayList<>(); // "rev|key|event" in (revision, sub) order
            List<Consumer> consumers = new ArrayList<>();
            long revision = writer.currentRevision();
            for (int op = 0; op < OPERATIONS; op++) {
                List<String[]> changes = new ArrayList<>(); // {key, value or null for delete}
                int kind = random.nextInt(10);
                if (kind < 5) {
                    String k = "k" + random.nextInt(KEYS);
                    String v = "v" + op;
                    revision = writer.put(PutRequest.of(b(k), b(v))).get(30, TimeUnit.SECONDS).revision();
                    changes.add(new String[] {k, v});
                } else if (kind < 7) {
                    String prefix = "k" + random.nextInt(KEYS);
                    var resp = writer.deleteRange(new DeleteRangeRequest(b(prefix), Bytes.prefixEnd(b(prefix)), false))
                            .get(30, TimeUnit.SECONDS);
                    for (String k : model.subMap(prefix, true, new String(Bytes.prefixEnd(b(prefix)), StandardCharsets.UTF_8), false).keySet()) {
                        changes.add(new String[] {k, null});
                    }
                    assertEquals(changes.size(), resp.deleted(), "deleted per the model");
                    revision = resp.revision();
                } else {
                    List<RequestOp> ops = new ArrayList<>();
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
                            changes.add(new String[] {key, null});
                        } else {
                            ops.add(RequestOp.put(PutRequest.of(b(key), b("t" + op))));
                            changes.add(new String[] {key, "t" + op});
                        }
                    }
                    revision = writer.txn(new TxnRequest(List.of(), ops, List.of())).get(30, TimeUnit.SECONDS).revision();
                }
                for (String[] c : changes) {
                    if (c[1] == null) {
                        model.remove(c[0]);
                        history.add(revision + "|" + c[0] + "|DELETE " + c[0] + "@" + revision);
                    } else {
                        model.put(c[0], c[1]);
                        history.add(revision + "|" + c[0] + "|PUT " + c[0] + "=" + c[1] + "@" + revision);
                    }
                }
                if (consumers.size() < WATCHERS && random.nextInt(OPERATIONS / WATCHERS) == 0) {
                    consumers.add(startWatcher(cluster, random, revision));
                }
            }
            while (consumers.size() < WATCHERS) {
                consumers.add(startWatcher(cluster, random, revision));
            }
            long last = revision;
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
            System.out.println("watch guarantee check: " + OPERATIONS + " operations up to revision " + last + ", "
                    + consumers.size() + " watchers, " + consumers.stream().mapToInt(c -> c.batches.size()).sum() + " batches");
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
