package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/**
 * A compaction removes what it drops in batches while the store goes on taking writes and answering reads:
 * every write lands, every read sees the newest value, and in the end only what etcd keeps is left. A stop in
 * the middle of a compaction's batches leaves the rest to the next open, which finishes it.
 */
class CompactionDuringLoadTest {
    /** Many batches: the compaction below is held after its first, so the load and the stop meet it half done. */
    private static final int KEYS = 20 * DerbyMvccStore.COMPACTION_BATCH_KEYS;

    /** Holds the store's compaction after its first batch until {@code release} opens (or the store closes). */
    private static void holdAfterFirstBatch(DerbyMvccStore store, CountDownLatch release) {
        AtomicBoolean first = new AtomicBoolean(true);
        store.afterEachCompactionBatch(() -> {
            if (first.getAndSet(false)) {
                try {
                    release.await();
                } catch (InterruptedException closing) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    private static byte[] key(int i) {
        return Bytes.utf8("k" + i);
    }

    private static byte[] value(int round, int i) {
        return Bytes.utf8("r" + round + "-" + i);
    }

    private static void writeRound(MvccStore s, int round) {
        for (int i = 0; i < KEYS; i++) {
            s.put(PutRequest.of(key(i), value(round, i)));
        }
    }

    private static KeyValue read(MvccStore s, int i) {
        return s.range(RangeRequest.of(key(i), Bytes.EMPTY)).kvs().get(0);
    }

    private static void awaitVersions(DerbyMvccStore s, long versions) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (s.indexedVersions() > versions && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(versions, s.indexedVersions());
    }

    @Test
    void writesAndReadsGoOnWhileACompactionRemovesItsBatches(@TempDir Path dir) throws Exception {
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            writeRound(s, 0);
            writeRound(s, 1);
            DerbyMvccStore store = (DerbyMvccStore) s;
            CountDownLatch halfLoaded = new CountDownLatch(1);
            holdAfterFirstBatch(store, halfLoaded);
            s.compact(new CompactionRequest(s.currentRevision(), false));
            assertTrue(store.indexedVersions() > KEYS, "the load below starts before the compaction is done");
            for (int i = 0; i < KEYS; i++) {
                if (i == KEYS / 2) {
                    halfLoaded.countDown(); // the other batches run between the second half's writes and reads
                }
                s.put(PutRequest.of(key(i), value(2, i)));
                assertArrayEquals(value(2, i), read(s, i).value());
                if (i + 1 < KEYS) {
                    assertArrayEquals(value(1, i + 1), read(s, i + 1).value(), "a key not written again yet");
                }
                if (i % 1000 == 0) {
                    s.commit(); // as the member commits while applying
                }
            }
            awaitVersions(store, 2L * KEYS); // round 1, which the compaction kept, and round 2
            for (int i = 0; i < KEYS; i++) {
                assertArrayEquals(value(2, i), read(s, i).value());
                assertEquals(3, read(s, i).version());
            }
            s.commit();
        }
    }

    @Test
    void aCompactionStoppedHalfwayIsFinishedAtTheNextOpen(@TempDir Path dir) throws Exception {
        long rev;
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            writeRound(s, 0);
            writeRound(s, 1);
            rev = s.currentRevision();
            holdAfterFirstBatch((DerbyMvccStore) s, new CountDownLatch(1)); // released by the close below
            s.compact(new CompactionRequest(rev, false));
            s.commit();
            assertTrue(((DerbyMvccStore) s).indexedVersions() > KEYS, "the store stops before the compaction is done");
        }
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            assertEquals(rev, s.compactRevision());
            awaitVersions((DerbyMvccStore) s, KEYS);
            for (int i = 0; i < KEYS; i++) {
                assertArrayEquals(value(1, i), read(s, i).value());
            }
            s.commit();
        }
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            assertEquals(KEYS, ((DerbyMvccStore) s).indexedVersions(), "the finished compaction was committed");
        }
    }
}
