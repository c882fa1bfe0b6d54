package org.ketcd.api;

/**
 * etcd's RangeRequest. {@code rangeEnd} empty = single key, "\0" = from key, else [key, rangeEnd).
 * {@code revision} 0 = the current revision. The min/max filters are 0 when unset.
 */
public record RangeRequest(byte[] key, byte[] rangeEnd, long limit, long revision, SortOrder sortOrder,
                           SortTarget sortTarget, boolean serializable, boolean keysOnly, boolean countOnly,
                           long minModRevision, long maxModRevision, long minCreateRevision,
                           long maxCreateRevision) {

    public enum SortOrder { NONE, ASCEND, DESCEND }

    public enum SortTarget { KEY, VERSION, CREATE, MOD, VALUE }

    /** A plain linearizable read of one key or range, with every option at its default. */
    public static RangeRequest of(byte[] key, byte[] rangeEnd) {
        return new RangeRequest(key, rangeEnd, 0, 0, SortOrder.NONE, SortTarget.KEY, false, false, false, 0, 0, 0, 0);
    }
}
