package org.ketcd.bench.jmh;

import java.nio.charset.StandardCharsets;

/** 8-byte decimal keys, as the load generator makes them. */
final class Keys {
    static byte[] key(long i) {
        return String.format("%08d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static void deleteTree(java.nio.file.Path dir) {
        if (dir == null) {
            return;
        }
        try (var s = java.nio.file.Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // temp dir: best effort
        }
    }

    private Keys() {
    }
}
