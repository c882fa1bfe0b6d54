package org.ketcd.rest;

/**
 * Whole numbers from query parameters and headers, read here rather than by Jersey: Jersey answers a
 * parameter it cannot convert with a bare 404, as if the resource did not exist.
 */
public final class NumberParam {
    private NumberParam() {
    }

    /** {@code text} as a number from 0 to 2^63-1; otherwise an IllegalArgumentException (400) naming {@code what}. */
    public static long nonNegative(String what, String text) {
        long n = parse(what, text);
        if (n < 0) {
            throw new IllegalArgumentException(what + " must not be negative, not " + text.trim());
        }
        return n;
    }

    /** {@code text} as a number from 1 to 2^63-1. */
    public static long positive(String what, String text) {
        long n = parse(what, text);
        if (n <= 0) {
            throw new IllegalArgumentException(what + " must be positive, not " + text.trim());
        }
        return n;
    }

    private static long parse(String what, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw new IllegalArgumentException(what + " must be a whole number up to " + Long.MAX_VALUE + ", not " + shown);
        }
    }
}
