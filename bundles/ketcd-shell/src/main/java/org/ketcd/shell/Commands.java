package org.ketcd.shell;

import java.nio.charset.StandardCharsets;

/** What the ketcd:* commands share: the wait for the member and the layout of their output. */
final class Commands {
    /** Longest a command waits for the member (a write waits for Raft, as etcdctl's 5 s command timeout). */
    static final long TIMEOUT_SECONDS = 5;

    private Commands() {
    }

    static void line(StringBuilder out, String label, String value) {
        out.append(String.format("%-15s %s%n", label, value));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A key or value as etcdctl prints it: its bytes as UTF-8 text. */
    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
