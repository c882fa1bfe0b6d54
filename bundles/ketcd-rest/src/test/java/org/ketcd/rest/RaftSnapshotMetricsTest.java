package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.PutRequest;

/** etcd_debugging_snap_save_total_duration_seconds counts the Raft snapshots --snapshot-count makes, in etcd's buckets. */
@Timeout(120)
class RaftSnapshotMetricsTest {
    @TempDir
    Path dir;

    @Test
    void eachRaftSnapshotIsTimed() throws Exception {
        try (RestCluster cluster = RestCluster.start(dir, 1, "--snapshot-count", "10")) {
            String count = "etcd_debugging_snap_save_total_duration_seconds_count";
            Map<String, Double> samples = samples(cluster);
            double before = samples.get(count);
            for (int i = 0; i < 30; i++) {
                cluster.cluster().member(0).server().put(PutRequest.of(Bytes.utf8("/snap/k" + i), Bytes.utf8("v")))
                        .get(10, TimeUnit.SECONDS);
            }
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                 samples.get(count) < before + 2 && System.nanoTime() < deadline; samples = samples(cluster)) {
                Thread.sleep(50);
            }
            assertTrue(samples.get(count) >= before + 2, "30 entries with --snapshot-count 10: " + samples.get(count));
            assertEquals(samples.get(count), samples.get("etcd_debugging_snap_save_total_duration_seconds_bucket{le=\"+Inf\"}"));
            assertTrue(samples.containsKey("etcd_debugging_snap_save_total_duration_seconds_bucket{le=\"8.192\"}"), "etcd's last bound");
        }
    }

    private static Map<String, Double> samples(RestCluster cluster) throws Exception {
        return MetricsTest.scrape(cluster, 0);
    }
}
