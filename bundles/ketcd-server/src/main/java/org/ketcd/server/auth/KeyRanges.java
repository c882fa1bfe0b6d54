package org.ketcd.server.auth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.ketcd.api.Bytes;

/**
 * A union of key intervals, merged, as etcd's interval tree of a user's permissions: a request on a key is
 * allowed if some interval holds the key, a request on a range if the union covers all of it.
 * Intervals are [start, end); {@code end == null} is unbounded (etcd's "\0" range end).
 */
final class KeyRanges {
    private record Interval(byte[] start, byte[] end) {
        boolean holds(byte[] key) {
            return Bytes.compare(start, key) <= 0 && (end == null || Bytes.compare(key, end) < 0);
        }
    }

    private final List<Interval> merged;

    private KeyRanges(List<Interval> merged) {
        this.merged = merged;
    }

    static final class Builder {
        private final List<Interval> intervals = new ArrayList<>();

        /** Adds etcd's permission range: one key ({@code rangeEnd} empty), [key, rangeEnd), or key on ("\0"). */
        Builder add(byte[] key, byte[] rangeEnd) {
            if (rangeEnd.length == 0) {
                intervals.add(new Interval(key, pointEnd(key)));
            } else if (Bytes.isFromKey(rangeEnd)) {
                intervals.add(new Interval(key, null));
            } else if (Bytes.compare(key, rangeEnd) < 0) {
                intervals.add(new Interval(key, rangeEnd));
            }
            return this;
        }

        KeyRanges build() {
            intervals.sort(Comparator.comparing(Interval::start, Bytes::compare));
            List<Interval> merged = new ArrayList<>();
            for (Interval next : intervals) {
                Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && (last.end == null || Bytes.compare(next.start, last.end) <= 0)) {
                    byte[] end = last.end == null || next.end == null ? null
                            : Bytes.compare(last.end, next.end) >= 0 ? last.end : next.end;
                    merged.set(merged.size() - 1, new Interval(last.start, end));
                } else {
                    merged.add(next);
                }
            }
            return new KeyRanges(List.copyOf(merged));
        }
    }

    /** The smallest key after {@code key}: a single key is the interval [key, key + "\0"). */
    private static byte[] pointEnd(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    /**
     * Whether a request on (key, rangeEnd), in etcd's sense, stays within these intervals: one key when
     * {@code rangeEnd} is empty, every key from {@code key} on when it is "\0", else [key, rangeEnd).
     */
    boolean allows(byte[] key, byte[] rangeEnd) {
        if (rangeEnd.length == 0) {
            for (Interval i : merged) {
                if (i.holds(key)) {
                    return true;
                }
            }
            return false;
        }
        byte[] end = Bytes.isFromKey(rangeEnd) ? null : rangeEnd;
        if (end != null && Bytes.compare(key, end) >= 0) {
            return allows(key, Bytes.EMPTY); // an empty or reversed range touches at most its start key
        }
        for (Interval i : merged) {
            if (i.holds(key)) {
                return i.end == null || end != null && Bytes.compare(end, i.end) <= 0;
            }
        }
        return false;
    }
}
