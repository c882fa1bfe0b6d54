package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * Backup and restore as an operator does it: `etcdctl snapshot save` from a running member, then
 * `bin/ketcd snapshot restore` into a new member's data dir, which starts with the same keys and
 * revisions. (Ketcd's snapshot file holds Ketcd's store, so `etcdctl snapshot restore` cannot read it.)
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SnapshotSaveRestoreTest {
    @TempDir
    Path dir;

    @Test
    void etcdctl_snapshot_save_then_ketcd_snapshot_restore_gives_a_member_with_the_same_keys_and_revisions() throws Exception {
        Path saved = dir.resolve("backup.db");
        long revision;
        try (Member source = Member.start(Member.Kind.KETCD, "snap-src")) {
            for (int i = 0; i < 10; i++) {
                assertTrue(source.ctl("put", "/backup/k" + i, "v" + i).ok());
            }
            CommandResult last = source.ctl("put", "/backup/k0", "again", "-w", "json");
            revision = Normalizer.json(last).path("header").path("revision").asLong();
            CommandResult save = source.ctl("snapshot", "save", saved.toString());
            assertTrue(save.ok() && save.stdout().contains("Snapshot saved at " + saved), save::toString);
            assertTrue(Files.size(saved) > 32);
        }
        try (Member restored = Member.prepare(Member.Kind.KETCD, "snap-dst")) {
            CommandResult restore = restored.restoreAndStart(saved);
            assertTrue(restore.ok() && restore.stdout().startsWith("restored snapshot "), restore::toString);
            CommandResult k0 = restored.ctl("get", "/backup/k0", "-w", "json");
            assertEquals(revision, Normalizer.json(k0).path("kvs").get(0).path("mod_revision").asLong(), k0::toString);
            assertEquals(10, Normalizer.json(restored.ctl("get", "/backup/", "--prefix", "-w", "json")).path("count").asLong());
            CommandResult next = restored.ctl("put", "/backup/new", "x", "-w", "json");
            assertEquals(revision + 1, Normalizer.json(next).path("header").path("revision").asLong(), next::toString);
        }
    }
}
