package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;

/**
 * A read whose answer would pass the store's response limit is refused with grpc's "larger than max" error
 * before it is built, and nothing else changes: a count, a page (limit) and a keys-only listing of the same
 * range are answered, and writes go on. Write transactions are not bounded: every member must give them the
 * same outcome whatever its heap.
 */
class LargeRangeTest {
    private static final int KEYS = 100;
    private static final int VALUE_BYTES = 1024;
    /** Room for about half of the keys with their values, for every key without. */
    private static final long LIMIT = KEYS * VALUE_BYTES / 2;

    private static MvccStore filled(Path dir) {
        MvccStore s = MvccStore.open(dir, new MvccOptions(4 * 1024, LIMIT, MvccOptions.DEFAULT_PAGE_CACHE_PAGES));
        for (int i = 0; i < KEYS; i++) {
            s.put(PutRequest.of(Bytes.utf8(String.format("key/%03d", i)), new byte[VALUE_BYTES]));
        }
        return s;
    }

    private static RangeRequest prefix(long limit, boolean keysOnly, boolean countOnly) {
        return new RangeRequest(Bytes.utf8("key/"), Bytes.utf8("key0"), limit, 0, RangeRequest.SortOrder.NONE,
                RangeRequest.SortTarget.KEY, false, keysOnly, countOnly, 0, 0, 0, 0);
    }

    private static void assertTooLarge(EtcdException e) {
        assertEquals(EtcdError.RESPONSE_TOO_LARGE, e.error());
        assertTrue(e.getMessage().startsWith("grpc: trying to send message larger than max (at least "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" vs. " + LIMIT + ")"), e.getMessage());
    }

    @Test
    void aRangeLargerThanTheLimitIsRefusedWithGrpcsError(@TempDir Path dir) {
        try (MvccStore s = filled(dir)) {
            assertTooLarge(assertThrows(EtcdException.class, () -> s.range(prefix(0, false, false))));
            RangeRequest byValue = new RangeRequest(Bytes.utf8("key/"), Bytes.utf8("key0"), 0, 0,
                    RangeRequest.SortOrder.DESCEND, RangeRequest.SortTarget.VALUE, false, false, false, 0, 0, 0, 0);
            assertTooLarge(assertThrows(EtcdException.class, () -> s.range(byValue)));
        }
    }

    @Test
    void aCountAPageAndAKeysOnlyListingOfTheSameRangeAreAnswered(@TempDir Path dir) {
        try (MvccStore s = filled(dir)) {
            assertThrows(EtcdException.class, () -> s.range(prefix(0, false, false)));
            assertEquals(KEYS, s.range(prefix(0, false, true)).count());
            RangeResponse page = s.range(prefix(10, false, false));
            assertEquals(10, page.kvs().size());
            assertTrue(page.more());
            assertEquals(KEYS, page.count());
            assertEquals("key/009", new String(page.kvs().get(9).key(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(VALUE_BYTES, page.kvs().get(9).value().length);
            RangeResponse keys = s.range(prefix(0, true, false));
            assertEquals(KEYS, keys.kvs().size());
            assertEquals(false, keys.more());
        }
    }

    @Test
    void theStoreTakesWritesAfterARefusal(@TempDir Path dir) {
        try (MvccStore s = filled(dir)) {
            long before = s.currentRevision();
            assertThrows(EtcdException.class, () -> s.range(prefix(0, false, false)));
            assertEquals(before, s.currentRevision(), "a refused read changes nothing");
            s.put(PutRequest.of(Bytes.utf8("key/new"), Bytes.utf8("v")));
            assertEquals(before + 1, s.currentRevision());
        }
    }

    @Test
    void theRangesOfAReadOnlyTxnShareOneLimit(@TempDir Path dir) {
        try (MvccStore s = filled(dir)) {
            // each half fits, both together do not
            RangeRequest first = new RangeRequest(Bytes.utf8("key/"), Bytes.utf8("key/040"), 0, 0,
                    RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY, false, false, false, 0, 0, 0, 0);
            RangeRequest second = new RangeRequest(Bytes.utf8("key/040"), Bytes.utf8("key/080"), 0, 0,
                    RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY, false, false, false, 0, 0, 0, 0);
            assertEquals(40, s.range(first).kvs().size());
            assertEquals(40, s.range(second).kvs().size());
            TxnRequest both = new TxnRequest(List.of(), List.of(new RequestOp(first, null, null, null),
                    new RequestOp(second, null, null, null)), List.of());
            assertTooLarge(assertThrows(EtcdException.class, () -> s.txn(both)));
        }
    }

    @Test
    void aWriteTxnReadingMoreThanTheLimitIsApplied(@TempDir Path dir) {
        try (MvccStore s = filled(dir)) {
            long before = s.currentRevision();
            TxnRequest write = new TxnRequest(List.of(), List.of(
                    new RequestOp(null, PutRequest.of(Bytes.utf8("key/new"), Bytes.utf8("v")), null, null),
                    new RequestOp(prefix(0, false, false), null, null, null)), List.of());
            assertEquals(KEYS + 1, s.txn(write).responses().get(1).range().kvs().size());
            assertEquals(before + 1, s.currentRevision());
        }
    }

    /** The page cache Derby built for the store's database, as its management bean reports it. */
    private static int derbyPageCacheEntries(MvccStore s) throws Exception {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        String db = javax.management.ObjectName.quote(((DerbyMvccStore) s).databaseDir().toString());
        for (javax.management.ObjectName n : server.queryNames(
                new javax.management.ObjectName("org.apache.derby:type=CacheManager,name=PageCache,*"), null)) {
            if (db.equals(n.getKeyProperty("db"))) {
                return ((Number) server.getAttribute(n, "MaxEntries")).intValue();
            }
        }
        throw new AssertionError("Derby reports no page cache for " + db);
    }

    @Test
    void derbysPageCacheHasTheSizeSetForTheStore(@TempDir Path dir) throws Exception {
        try (MvccStore s = MvccStore.open(dir.resolve("a"), new MvccOptions(0, 0, 200));
             MvccStore t = MvccStore.open(dir.resolve("b"), new MvccOptions(0, 0, 3000))) {
            assertEquals(200, derbyPageCacheEntries(s));
            assertEquals(3000, derbyPageCacheEntries(t));
        }
    }
}
