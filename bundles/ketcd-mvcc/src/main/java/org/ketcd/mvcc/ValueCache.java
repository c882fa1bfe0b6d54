package org.ketcd.mvcc;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recently used values by revision, bounded in bytes: what a read finds here it does not read from
 * Derby. Least recently used values go first once the bound is passed. Thread-safe (readers share it).
 */
final class ValueCache {
    /** What one cached value costs besides its bytes: map entry, revision key, array header. */
    static final int ENTRY_OVERHEAD_BYTES = 96;

    private final long maxBytes;
    private final LinkedHashMap<Revision, byte[]> values = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    ValueCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    static long cost(byte[] value) {
        return value.length + ENTRY_OVERHEAD_BYTES;
    }

    synchronized byte[] get(Revision rev) {
        return values.get(rev);
    }

    /** Keeps {@code value}, evicting the least recently used values beyond the bound (a value larger than it is not kept). */
    synchronized void put(Revision rev, byte[] value) {
        if (cost(value) > maxBytes) {
            return;
        }
        byte[] previous = values.put(rev, value);
        bytes += cost(value) - (previous == null ? 0 : cost(previous));
        Iterator<Map.Entry<Revision, byte[]>> oldest = values.entrySet().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            bytes -= cost(oldest.next().getValue());
            oldest.remove();
        }
    }

    synchronized void remove(Revision rev) {
        byte[] removed = values.remove(rev);
        if (removed != null) {
            bytes -= cost(removed);
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return values.size();
    }
}
