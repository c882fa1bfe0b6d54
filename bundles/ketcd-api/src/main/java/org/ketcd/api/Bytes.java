package org.ketcd.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Key byte-string rules shared by every layer: etcd orders keys as unsigned bytes. */
public final class Bytes {
    public static final byte[] EMPTY = new byte[0];
    /** A {@code range_end} of a single zero byte means "every key from {@code key} on". */
    public static final byte[] FROM_KEY = new byte[] {0};

    private Bytes() {
    }

    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static boolean isFromKey(byte[] rangeEnd) {
        return rangeEnd.length == 1 && rangeEnd[0] == 0;
    }

    /**
     * Whether {@code key} lies in the interval etcd means by (key, rangeEnd): a single key when
     * rangeEnd is empty, [key, +inf) when it is "\0", otherwise [key, rangeEnd).
     */
    public static boolean inRange(byte[] candidate, byte[] key, byte[] rangeEnd) {
        if (rangeEnd.length == 0) {
            return Arrays.equals(candidate, key);
        }
        if (compare(candidate, key) < 0) {
            return false;
        }
        return isFromKey(rangeEnd) || compare(candidate, rangeEnd) < 0;
    }

    /** The smallest key greater than every key with this prefix, as etcd's {@code GetPrefixRangeEnd}. */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        for (int i = end.length - 1; i >= 0; i--) {
            if ((end[i] & 0xff) < 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return FROM_KEY.clone();
    }
}
