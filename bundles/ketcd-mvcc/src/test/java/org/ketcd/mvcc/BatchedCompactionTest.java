package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/**
 * A compaction answers at once and removes the versions it drops in batches of keys, in the background (as
 * etcd's scheduled compaction), unless the client waits for it (physical): the history below it is unreadable at
 * once, the rest reads the same throughout, and in the end only what etcd keeps is left.
 */
class BatchedCompactionTest {
    private static final int KEYS = 3 * DerbyMvccStore.COMPACTION_BATCH_KEYS + 17;

    private static RangeRequest at(String key, long rev) {
        RangeRequest r = RangeRequest.of(Bytes.utf8(key), Bytes.EMPTY);
        return new RangeRequest(r.key(), r.rangeEnd(), 0, rev, r.sortOrder(), r.sortTarget(), false, false, false, 0, 0, 0, 0);
    }

    private static long fill(MvccStore s) {
        for (int i = 0; i < KEYS; i++) {
            s.put(PutRequest.of(Bytes.utf8("k" + i), Bytes.utf8("old")));
        }
        long middle = s.currentRevision();
        for (int i = 0; i < KEYS; i++) {
            s.put(PutRequest.of(Bytes.utf8("k" + i), Bytes.utf8("new")));
        }
        return middle;
    }

    @Test
    void aCompactionAnswersAtOnceAndItsBatchesLeaveOnlyWhatEtcdKeeps(@TempDir Path dir) throws Exception {
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            long middle = fill(s);
            long last = s.currentRevision();
            s.compact(new CompactionRequest(last, false));
            EtcdException compacted = assertThrows(EtcdException.class, () -> s.range(at("k0", middle)));
            assertEquals(EtcdError.COMPACTED, compacted.error());
            assertArrayEquals(Bytes.utf8("new"), s.range(at("k" + (KEYS - 1), 0)).kvs().get(0).value());
            DerbyMvccStore store = (DerbyMvccStore) s;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (store.indexedVersions() > KEYS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(KEYS, store.indexedVersions(), "every key keeps its newest version only");
            s.commit();
        }
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            assertEquals(KEYS, ((DerbyMvccStore) s).indexedVersions(), "the removed versions stay removed");
            assertArrayEquals(Bytes.utf8("new"), s.range(at("k7", 0)).kvs().get(0).value());
        }
    }

    @Test
    void aPhysicalCompactionReturnsOnceItsVersionsAreGone(@TempDir Path dir) {
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            fill(s);
            s.compact(new CompactionRequest(s.currentRevision(), true));
            assertEquals(KEYS, ((DerbyMvccStore) s).indexedVersions());
        }
    }
}
