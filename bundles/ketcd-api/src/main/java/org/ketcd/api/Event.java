package org.ketcd.api;

/**
 * One change of one key, as etcd's {@code mvccpb.Event}: a PUT carries the new version, a DELETE a
 * key-value with only the key and the revision of the delete. {@code prevKv} is null unless asked for.
 */
public record Event(Type type, KeyValue kv, KeyValue prevKv) {

    public enum Type { PUT, DELETE }

    public static Event put(KeyValue kv) {
        return new Event(Type.PUT, kv, null);
    }

    public static Event delete(byte[] key, long revision) {
        return new Event(Type.DELETE, new KeyValue(key, 0, revision, 0, Bytes.EMPTY, 0), null);
    }

    /** The main revision this change was made at. */
    public long revision() {
        return kv.modRevision();
    }

    /** etcd's IsCreateEvent: a put that (re)created the key, which therefore has no previous version. */
    public boolean isCreate() {
        return type == Type.PUT && kv.createRevision() == kv.modRevision();
    }

    public Event withPrevKv(KeyValue prev) {
        return new Event(type, kv, prev);
    }
}
