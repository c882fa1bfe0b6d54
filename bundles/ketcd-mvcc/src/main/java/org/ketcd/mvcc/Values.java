package org.ketcd.mvcc;

import org.ketcd.api.KeyValue;

/**
 * Where the store finds the value of a version: the {@link ValueCache} of recently written and read
 * values, else Derby ({@code VAL} by revision, over the store's own connection, so a value written but not
 * committed yet is found too). The key index holds no values.
 */
final class Values {
    private final DerbyBackend backend;
    private final ValueCache cache;

    Values(DerbyBackend backend, long cacheBytes) {
        this.backend = backend;
        this.cache = new ValueCache(cacheBytes);
    }

    /** The value of the put at {@code rev}. */
    byte[] get(Revision rev) {
        byte[] value = cache.get(rev);
        if (value == null) {
            value = backend.readValue(rev);
            if (value == null) {
                throw new IllegalStateException("no value stored for the put at revision " + rev);
            }
            cache.put(rev, value);
        }
        return value;
    }

    /** The key-value of a version with its value: a put's from here, a tombstone's empty. */
    KeyValue withValue(KeyIndex.Entry e) {
        KeyValue kv = e.kv();
        if (kv.value() != null) {
            return kv;
        }
        return new KeyValue(kv.key(), kv.createRevision(), kv.modRevision(), kv.version(),
                e.tombstone() ? org.ketcd.api.Bytes.EMPTY : get(e.rev()), kv.lease());
    }

    /** A put was written at {@code rev} (values just written are read soonest: by watchers, prev_kv). */
    void written(Revision rev, byte[] value) {
        cache.put(rev, value);
    }

    /** The version at {@code rev} is gone (compacted, or its write undone). */
    void removed(Revision rev) {
        cache.remove(rev);
    }

    ValueCache cache() {
        return cache;
    }
}
