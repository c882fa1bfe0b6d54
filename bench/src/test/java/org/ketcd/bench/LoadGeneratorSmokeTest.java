package org.ketcd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Smoke test of the load generator (not a benchmark): 200 puts and 200 serializable ranges against a
 * real etcd it starts on free loopback ports and always kills. Skipped when {@code etcd} is not on the PATH.
 */
class LoadGeneratorSmokeTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void putsAndRangesAgainstRealEtcd() throws Exception {
        String etcd = onPath("etcd");
        assumeTrue(etcd != null, "etcd not on the PATH");
        int client;
        int peer;
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            client = a.getLocalPort();
            peer = b.getLocalPort();
        }
        Path dir = Files.createTempDirectory("ketcd-bench-smoke");
        String c = "http://127.0.0.1:" + client;
        String p = "http://127.0.0.1:" + peer;
        Process proc = new ProcessBuilder(etcd, "--name", "smoke", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", c, "--advertise-client-urls", c, "--listen-peer-urls", p,
                "--initial-advertise-peer-urls", p, "--initial-cluster", "smoke=" + p)
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        try {
            String ep = "127.0.0.1:" + client;
            String put = run("put", "--endpoints", ep, "--conns", "2", "--clients", "10", "--total", "200",
                    "--val-size", "256", "--key-space-size", "100", "--target-leader", "--timeout", "15");
            assertTrue(put.contains("\"op\":\"put\""), put);
            assertTrue(put.contains("\"ok\":200,\"errors\":0"), put);
            String range = run("range", "--endpoints", ep, "--clients", "10", "--total", "200", "--serializable",
                    "--key-space-size", "100");
            assertTrue(range.contains("\"ok\":200,\"errors\":0"), range);
        } finally {
            proc.destroy();
            if (!proc.waitFor(10, TimeUnit.SECONDS)) {
                proc.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Runs the generator in this JVM; returns its RESULT json. */
    private static String run(String... args) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = new LoadGenerator(Options.parse(args)).run();
        } finally {
            System.setOut(out);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, rc, text);
        List<String> results = text.lines().filter(l -> l.startsWith("RESULT ")).toList();
        assertEquals(1, results.size(), text);
        return results.get(0);
    }

    private static String onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(d, exe);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }
}
