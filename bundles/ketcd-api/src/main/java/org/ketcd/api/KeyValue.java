package org.ketcd.api;

/**
 * One version of a key, as etcd's {@code mvccpb.KeyValue}: revisions are the main revisions of the
 * store, {@code version} counts modifications since the key was (re)created, {@code lease} is 0 when
 * the key has no lease.
 */
public record KeyValue(byte[] key, long createRevision, long modRevision, long version, byte[] value, long lease) {

    /** The same key-value without its value, as a {@code keys_only} range returns it. */
    public KeyValue withoutValue() {
        return new KeyValue(key, createRevision, modRevision, version, Bytes.EMPTY, lease);
    }
}
