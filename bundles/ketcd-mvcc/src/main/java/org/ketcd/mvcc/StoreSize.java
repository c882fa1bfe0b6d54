package org.ketcd.mvcc;

/**
 * What the store holds, in bytes, counted as a user stores it rather than as Derby lays it out: each stored
 * version of a key (a put or a tombstone) costs its key, its value and {@link #VERSION_BYTES}. Status'
 * dbSizeInUse is this count; dbSize is its highest value since the last defragment, as etcd's bbolt file
 * grows with its data and shrinks only when defragmented; the backend quota is checked against dbSize.
 * Derby's files are larger than dbSize: page fill, indexes and Derby's own catalog (about 1 MB when empty).
 * Both counts are kept in META with each commit, so they survive restarts with the data they count.
 * Changed under the store's write lock; read from any thread.
 */
final class StoreSize {
    /** A version's bytes besides key and value, as etcd keeps them: its 17-byte revision key and the KeyValue's revisions, version and lease. */
    static final int VERSION_BYTES = 48;

    static final String META_IN_USE = "size_in_use";
    static final String META_HIGHEST = "size_highest";

    private volatile long inUse;
    private volatile long highest;
    private boolean dirty;

    private StoreSize(long inUse, long highest) {
        this.inUse = inUse;
        this.highest = Math.max(highest, inUse);
    }

    /** The counts kept in META, or, for a store written before they were kept, counted from its tables. */
    static StoreSize load(DerbyBackend backend) {
        long inUse = backend.readMeta(META_IN_USE, -1);
        if (inUse < 0) {
            StoreSize counted = new StoreSize(backend.storedBytes(VERSION_BYTES), 0);
            counted.dirty = true;
            return counted;
        }
        return new StoreSize(inUse, backend.readMeta(META_HIGHEST, inUse));
    }

    /** The bytes of one stored version with a key of {@code keyBytes} and a value of {@code valueBytes}. */
    static long version(int keyBytes, int valueBytes) {
        return VERSION_BYTES + keyBytes + valueBytes;
    }

    void added(long bytes) {
        inUse += bytes;
        highest = Math.max(highest, inUse);
        dirty = true;
    }

    void removed(long bytes) {
        inUse -= bytes;
        dirty = true;
    }

    /** After a defragment: only what is in use is left. */
    void defragmented() {
        highest = inUse;
        dirty = true;
    }

    long inUse() {
        return inUse;
    }

    long highest() {
        return highest;
    }

    /** Writes the counts into the open transaction when they changed. */
    void save(DerbyBackend backend) {
        if (dirty) {
            backend.writeMeta(META_IN_USE, inUse);
            backend.writeMeta(META_HIGHEST, highest);
            dirty = false;
        }
    }
}
