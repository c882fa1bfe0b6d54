package org.ketcd.mvcc;

/**
 * Settings of an {@link MvccStore}.
 *
 * @param valueCacheBytes       the most the store keeps of recently written and read values on the heap
 *                              (their bytes plus a fixed cost per value); the rest are read from Derby when
 *                              asked for
 * @param maxRangeResponseBytes the largest answer a read builds (its key-values as encoded on the wire); a
 *                              range or read-only txn over more is refused with grpc's "larger than max"
 *                              error. 0: {@link #defaultMaxRangeResponseBytes()}
 * @param pageCachePages        Derby's page cache of this store, in pages (Derby's
 *                              {@code derby.storage.pageCacheSize}: 4 KiB pages for the key table, 32 KiB
 *                              for values); at least {@link #MIN_PAGE_CACHE_PAGES}
 */
public record MvccOptions(long valueCacheBytes, long maxRangeResponseBytes, int pageCachePages) {
    /** The default value cache: leaves a 512 MiB heap room for the key index and the runtime. */
    public static final long DEFAULT_VALUE_CACHE_BYTES = 64L * 1024 * 1024;
    /** Derby's own default page cache, 1000 pages (4-32 MiB depending on the pages cached). */
    public static final int DEFAULT_PAGE_CACHE_PAGES = 1000;
    /** Derby ignores a smaller page cache setting. */
    public static final int MIN_PAGE_CACHE_PAGES = 40;
    /** grpc's own bound on one message, which etcd's server sets as its send limit. */
    private static final long GRPC_MAX_MESSAGE_BYTES = Integer.MAX_VALUE;

    public MvccOptions {
        if (valueCacheBytes < 0) {
            throw new IllegalArgumentException("value cache bytes must not be negative: " + valueCacheBytes);
        }
        if (maxRangeResponseBytes < 0) {
            throw new IllegalArgumentException("max range response bytes must not be negative: " + maxRangeResponseBytes);
        }
        if (maxRangeResponseBytes == 0) {
            maxRangeResponseBytes = defaultMaxRangeResponseBytes();
        }
        if (pageCachePages < MIN_PAGE_CACHE_PAGES) {
            throw new IllegalArgumentException("Derby page cache must be at least " + MIN_PAGE_CACHE_PAGES
                    + " pages: " + pageCachePages);
        }
    }

    public MvccOptions(long valueCacheBytes) {
        this(valueCacheBytes, 0, DEFAULT_PAGE_CACHE_PAGES);
    }

    public static MvccOptions defaults() {
        return new MvccOptions(DEFAULT_VALUE_CACHE_BYTES);
    }

    /**
     * An eighth of the maximum heap, at most grpc's 2 GiB message bound: an answer is held about three times
     * while it is sent (its key-values, their protobuf form, the encoded message).
     */
    public static long defaultMaxRangeResponseBytes() {
        return Math.min(GRPC_MAX_MESSAGE_BYTES, Runtime.getRuntime().maxMemory() / 8);
    }
}
