package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;

/**
 * Scale (issue 5): one member holds 10,000 watchers on distinct keys at once; a write's events reach
 * exactly the watchers of the keys it touched. Prints the heap the watchers take (no assertion on it).
 */
class TenThousandWatchersTest {
    static final int WATCHERS = 10_000;

    @TempDir
    Path dir;

    static byte[] key(int i) {
        return ("svc/" + i).getBytes(StandardCharsets.UTF_8);
    }

    static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void tenThousandWatchersOnDistinctKeysEachGetOnlyTheirKeysEvents() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 1, "scale")) {
            EtcdServer server = cluster.member(0).server();
            long heapBefore = usedHeap();
            AtomicIntegerArray signals = new AtomicIntegerArray(WATCHERS);
            List<Watch> watches = new ArrayList<>(WATCHERS);
            for (int i = 0; i < WATCHERS; i++) {
                int index = i;
                watches.add(server.watch(WatchRequest.of(key(i), Bytes.EMPTY, 0), () -> signals.incrementAndGet(index)));
            }
            long heapWith = usedHeap();
            System.out.printf("%d watchers open on one member: heap used %.1f MB before, %.1f MB with them (%.0f bytes each)%n",
                    WATCHERS, heapBefore / 1e6, heapWith / 1e6, (heapWith - heapBefore) / (double) WATCHERS);

            List<Integer> touched = List.of(0, 4_321, 9_999);
            server.put(PutRequest.of(key(touched.get(0)), "a".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            long txnRev = server.txn(new TxnRequest(List.of(), List.of(
                    RequestOp.put(PutRequest.of(key(touched.get(1)), "b".getBytes(StandardCharsets.UTF_8))),
                    RequestOp.put(PutRequest.of(key(touched.get(2)), "c".getBytes(StandardCharsets.UTF_8)))), List.of()))
                    .get(30, TimeUnit.SECONDS).revision();
            server.put(PutRequest.of("unwatched".getBytes(StandardCharsets.UTF_8), new byte[0])).get(30, TimeUnit.SECONDS);

            for (int i = 0; i < WATCHERS; i++) {
                Watch w = watches.get(i);
                if (touched.contains(i)) {
                    WatchBatch batch = w.poll();
                    assertEquals(1, batch.events().size(), "watcher " + i);
                    assertEquals(new String(key(i), StandardCharsets.UTF_8),
                            new String(batch.events().get(0).kv().key(), StandardCharsets.UTF_8));
                    if (i != touched.get(0)) {
                        assertEquals(txnRev, batch.revision());
                    }
                    assertEquals(1, signals.get(i));
                }
                assertNull(w.poll(), "watcher " + i + " got another key's event");
            }
            watches.forEach(Watch::close);
        }
    }
}
