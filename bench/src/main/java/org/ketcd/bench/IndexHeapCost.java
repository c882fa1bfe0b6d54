package org.ketcd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ketcd.api.PutRequest;
import org.ketcd.mvcc.MvccOptions;
import org.ketcd.mvcc.MvccStore;

/**
 * Heap bytes the store keeps per version of a key, values not included (they are on disk): puts N keys of 16
 * bytes with 256-byte values, V versions each, into a store with no value cache, and compares the heap used
 * after a full GC before and after. Run twice with different N to separate the per-key cost from fixed costs
 * (Derby's page cache): {@code ketcd-bench index-heap-cost 200000 1} and {@code ... 1000000 1}.
 */
final class IndexHeapCost {
    private IndexHeapCost() {
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static void run(int keys, int versions) throws Exception {
        Path dir = Files.createTempDirectory("ketcd-index-heap-cost-");
        try (MvccStore s = MvccStore.open(dir, new MvccOptions(0))) {
            s.commit();
            long before = usedAfterGc();
            for (int v = 0; v < versions; v++) {
                for (int i = 0; i < keys; i++) {
                    s.put(PutRequest.of(String.format("key-%011d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[256]));
                    if (i % 10_000 == 0) {
                        s.commit();
                    }
                }
                s.commit();
            }
            long after = usedAfterGc();
            System.out.printf("RESULT {\"op\":\"index-heap-cost\",\"keys\":%d,\"versions\":%d,\"heap_bytes\":%d,\"bytes_per_version\":%.1f}%n",
                    keys, versions, after - before, (after - before) / (double) ((long) keys * versions));
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
