package org.ketcd.api;

/**
 * What a watcher follows, as etcd's WatchCreateRequest after etcd's normalization: {@code rangeEnd}
 * empty = the single key, {@link Bytes#FROM_KEY} = every key from {@code key} on, else [key, rangeEnd).
 * {@code startRevision} 0 = changes after the current revision. {@code noPut}/{@code noDelete} are
 * etcd's NOPUT/NODELETE filters; {@code progressNotify} asks for periodic progress when idle.
 */
public record WatchRequest(byte[] key, byte[] rangeEnd, long startRevision, boolean noPut, boolean noDelete,
                           boolean progressNotify) {

    /** etcd's mvcc ErrEmptyWatcherRange, sent as the cancel reason of a refused create. */
    public static final String EMPTY_RANGE = "mvcc: watcher range is empty";

    /** A watch of one key or range from {@code startRevision}, without filters. */
    public static WatchRequest of(byte[] key, byte[] rangeEnd, long startRevision) {
        return new WatchRequest(key, rangeEnd, startRevision, false, false, false);
    }

    /** etcd refuses a range whose end is not after its start (the from-key end "\0" excepted). */
    public boolean isEmptyRange() {
        return rangeEnd.length > 0 && !Bytes.isFromKey(rangeEnd) && Bytes.compare(key, rangeEnd) >= 0;
    }

    public boolean isSingleKey() {
        return rangeEnd.length == 0;
    }

    public boolean covers(byte[] candidate) {
        return Bytes.inRange(candidate, key, rangeEnd);
    }

    /** Whether the filters let this event through. */
    public boolean accepts(Event e) {
        return e.type() == Event.Type.PUT ? !noPut : !noDelete;
    }
}
