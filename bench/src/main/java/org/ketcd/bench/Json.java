package org.ketcd.bench;

/** A tiny JSON object writer (no dependency for one line of output). */
final class Json {
    private final StringBuilder b = new StringBuilder("{");

    private Json key(String k) {
        if (b.length() > 1) {
            b.append(',');
        }
        str(k);
        b.append(':');
        return this;
    }

    Json put(String k, String v) {
        key(k);
        str(v);
        return this;
    }

    Json put(String k, long v) {
        key(k).b.append(v);
        return this;
    }

    Json put(String k, double v) {
        key(k).b.append(Double.isFinite(v) ? Double.toString(v) : "null");
        return this;
    }

    Json put(String k, boolean v) {
        key(k).b.append(v);
        return this;
    }

    Json raw(String k, String json) {
        key(k).b.append(json);
        return this;
    }

    private void str(String s) {
        quote(b, s);
    }

    /** Appends {@code s} as a JSON string literal. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    @Override
    public String toString() {
        return b + "}";
    }
}
