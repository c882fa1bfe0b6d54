package org.ketcd.mvcc;

/**
 * Settings of an {@link MvccStore}.
 *
 * @param valueCacheBytes the most the store keeps of recently written and read values on the heap (their
 *                        bytes plus a fixed cost per value); the rest are read from Derby when asked for
 */
public record MvccOptions(long valueCacheBytes) {
    /** The default value cache: leaves a 512 MiB heap room for the key index and the runtime. */
    public static final long DEFAULT_VALUE_CACHE_BYTES = 64L * 1024 * 1024;

    public MvccOptions {
        if (valueCacheBytes < 0) {
            throw new IllegalArgumentException("value cache bytes must not be negative: " + valueCacheBytes);
        }
    }

    public static MvccOptions defaults() {
        return new MvccOptions(DEFAULT_VALUE_CACHE_BYTES);
    }
}
