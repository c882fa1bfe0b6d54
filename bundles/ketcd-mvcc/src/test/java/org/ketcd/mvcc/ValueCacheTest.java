package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/** The value cache keeps its byte bound, drops the least recently used first, and a store reads around it. */
class ValueCacheTest {

    @Test
    void theCacheStaysWithinItsBytesDroppingTheLeastRecentlyUsedFirst() {
        byte[] hundred = new byte[100];
        long one = ValueCache.cost(hundred);
        ValueCache cache = new ValueCache(3 * one);
        cache.put(new Revision(1, 0), hundred);
        cache.put(new Revision(2, 0), hundred);
        cache.put(new Revision(3, 0), hundred);
        cache.get(new Revision(1, 0)); // now 2 is the least recently used
        cache.put(new Revision(4, 0), hundred);
        assertEquals(3 * one, cache.bytes());
        assertNull(cache.get(new Revision(2, 0)));
        assertTrue(cache.get(new Revision(1, 0)) != null && cache.get(new Revision(4, 0)) != null);
        cache.put(new Revision(5, 0), new byte[(int) (4 * one)]); // larger than the whole cache: not kept
        assertNull(cache.get(new Revision(5, 0)));
        assertEquals(3, cache.size());
    }

    @Test
    void aReopenedStoreServesEveryValueWithoutHavingLoadedAnyIntoTheHeap(@TempDir Path dir) {
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            for (int i = 0; i < 500; i++) {
                s.put(PutRequest.of(Bytes.utf8("k" + i), Bytes.utf8("value-" + i)));
            }
            s.commit();
        }
        try (MvccStore s = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE)) {
            assertEquals(0, ((DerbyMvccStore) s).cachedValueBytes(), "opening the store read values");
            for (int i = 0; i < 500; i++) {
                var kvs = s.range(RangeRequest.of(Bytes.utf8("k" + i), Bytes.EMPTY)).kvs();
                assertArrayEquals(Bytes.utf8("value-" + i), kvs.get(0).value());
            }
            assertTrue(((DerbyMvccStore) s).cachedValueBytes() <= RandomizedAgainstModelTest.SMALL_CACHE.valueCacheBytes());
        }
    }
}
