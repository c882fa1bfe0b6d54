package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.server.config.ConfigException;

/** Maintenance.Snapshot's file restores into a new cluster with the same keys and revisions. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SnapshotSaveRestoreTest {
    @TempDir
    Path dir;

    @Test
    void aSavedSnapshotRestoresIntoANewClusterWithTheSameKeysAndRevisions() throws Exception {
        Path saved = dir.resolve("saved.db");
        long lastRevision;
        long oldCluster;
        try (LocalCluster source = LocalCluster.start(dir.resolve("old"), 1, "old-cluster")) {
            var s = source.member(0).server();
            for (int i = 0; i < 20; i++) {
                s.put(PutRequest.of(Bytes.utf8("/r/k" + i), Bytes.utf8("v" + i))).get(20, TimeUnit.SECONDS);
            }
            lastRevision = s.put(PutRequest.of(Bytes.utf8("/r/k0"), Bytes.utf8("v0-again"))).get(20, TimeUnit.SECONDS).revision();
            oldCluster = s.header(0).clusterId();
            Path file = s.snapshot().get(60, TimeUnit.SECONDS);
            Files.move(file, saved);
        }

        LocalCluster target = LocalCluster.prepare(dir.resolve("new"), 1, "new-cluster");
        try (target) {
            String restored = SnapshotRestore.run(saved, target.args(0).toArray(String[]::new), Map.of(), Map.of());
            assertTrue(restored.startsWith("restored snapshot "), restored);
            ConfigException again = assertThrows(ConfigException.class,
                    () -> SnapshotRestore.run(saved, target.args(0).toArray(String[]::new), Map.of(), Map.of()));
            assertTrue(again.getMessage().startsWith("data-dir \""), again.getMessage());

            target.startMember(0);
            var s = target.member(0).server();
            assertNotEquals(oldCluster, s.header(0).clusterId(), "a new cluster");
            KeyValue k0 = s.range(RangeRequest.of(Bytes.utf8("/r/k0"), Bytes.EMPTY)).get(20, TimeUnit.SECONDS).kvs().get(0);
            assertArrayEquals(Bytes.utf8("v0-again"), k0.value());
            assertEquals(lastRevision, k0.modRevision());
            assertEquals(2, k0.version());
            assertEquals(20, s.range(RangeRequest.of(Bytes.utf8("/r/"), Bytes.prefixEnd(Bytes.utf8("/r/")))).get(20, TimeUnit.SECONDS).count());
            assertEquals(lastRevision + 1, s.put(PutRequest.of(Bytes.utf8("/r/new"), Bytes.utf8("x"))).get(20, TimeUnit.SECONDS).revision(),
                    "revisions go on from the snapshot's");
            target.stopMember(0);
            target.startMember(0);
            assertEquals(21, target.member(0).server().range(RangeRequest.of(Bytes.utf8("/r/"), Bytes.prefixEnd(Bytes.utf8("/r/"))))
                    .get(20, TimeUnit.SECONDS).count(), "the new cluster's own writes survive its restart");
        }
    }

    @Test
    void aDamagedSnapshotIsRefusedAndLeavesNoDataDir() throws Exception {
        Path damaged = dir.resolve("damaged.db");
        Files.write(damaged, new byte[4096]);
        LocalCluster target = LocalCluster.prepare(dir.resolve("new"), 1, "damaged");
        try (target) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> SnapshotRestore.run(damaged, target.args(0).toArray(String[]::new), Map.of(), Map.of()));
            assertTrue(e.getMessage().contains("SHA-256 does not match"), e.getMessage());
            assertTrue(!Files.exists(target.dataDir(0).resolve("member")), "nothing half-restored");
        }
    }
}
