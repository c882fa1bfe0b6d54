package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ketcd.mvcc.Kv.b;
import static org.ketcd.mvcc.Kv.put;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.RangeRequest;

/** A backup is the committed store, opened elsewhere as it was: data, revisions, history, consistent index. */
class BackupTest {
    @TempDir
    Path dir;

    @Test
    void aBackupOpensWithTheCommittedDataHistoryAndConsistentIndexButNotTheUncommittedTail() {
        Path copy = dir.resolve("copy");
        try (MvccStore s = MvccStore.open(dir.resolve("store"), MvccOptions.defaults())) {
            s.put(put("a", "1"));
            s.put(put("a", "2"));
            s.put(put("b", "3"));
            s.setConsistentIndex(42);
            s.commit();
            s.put(put("c", "uncommitted"));
            s.setConsistentIndex(43);
            s.backupTo(copy);
        }
        try (MvccStore restored = MvccStore.open(copy, MvccOptions.defaults())) {
            assertEquals(42, restored.consistentIndex());
            assertEquals(4, restored.currentRevision());
            assertEquals(2, restored.range(RangeRequest.of(b("a"), b("c"))).count());
            assertEquals(0, restored.range(RangeRequest.of(b("c"), new byte[0])).count());
            RangeRequest old = new RangeRequest(b("a"), new byte[0], 0, 2, RangeRequest.SortOrder.NONE,
                    RangeRequest.SortTarget.KEY, false, false, false, 0, 0, 0, 0);
            assertEquals("1", new String(restored.range(old).kvs().get(0).value()));
        }
        assertEquals(true, Files.isDirectory(copy.resolve(MvccStore.databaseDirName())));
    }
}
