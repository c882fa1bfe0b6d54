package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.ketcd.systemtests.harness.Member;

/**
 * A member whose client or peer port is taken by another process does not start: etcd exits with status 1 at
 * once and says {@code listen tcp 127.0.0.1:<port>: bind: address already in use}; so must bin/ketcd, in one
 * line, without stack traces, instead of idling as a member nobody can reach. Whether the port was taken before
 * bin/ketcd started or while Karaf booted.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PortInUseTest {
    /** Far above a start that fails at once (well under a second here), far below the ~30 s it used to take. */
    static final Duration PROMPT_EXIT = Duration.ofSeconds(15);

    static Stream<Arguments> cases() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target())
                .flatMap(kind -> Stream.of(Arguments.of(kind, "client"), Arguments.of(kind, "peer")));
    }

    @ParameterizedTest(name = "{0}, {1} port")
    @MethodSource("cases")
    void a_member_whose_port_is_taken_exits_at_once_with_status_1_and_etcds_listen_error(Member.Kind kind, String which)
            throws Exception {
        Member m = Member.prepare(kind, "port-in-use");
        int port = port(m, which);
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            m.launchWith("--initial-cluster", m.name() + "=" + m.peerUrl());
            Integer status = m.awaitExit(kind.bootTimeout());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("[system-tests] %s with its %s port taken exited %s after %d ms%n", kind, which, status,
                    took.toMillis());
            assertEquals(Integer.valueOf(1), status, () -> m + " did not exit 1 with its " + which + " port taken:\n" + m.logTail(40));
            List<String> output = output(m);
            assertSaysOnceWithoutStackTrace(output, listenError(port), m);
            assertTrue(took.compareTo(PROMPT_EXIT) < 0, () -> m + " took " + took.toMillis() + " ms to exit");
            if (kind == Member.Kind.KETCD) {
                // bin/ketcd's own check: the line on stderr is all there is, Karaf never boots
                assertEquals(List.of("ketcd: " + listenError(port)), output, () -> m + " printed more than the error");
            }
        } finally {
            m.close();
        }
    }

    /**
     * The port is taken after bin/ketcd's check, while Karaf boots: the member's own check (or bind) fails, and
     * the process ends soon after with the same line.
     */
    @ParameterizedTest(name = "{0} port")
    @ValueSource(strings = {"client", "peer"})
    void a_port_taken_while_karaf_boots_ends_the_member_soon_with_status_1_and_one_line(String which) throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "etcd binds its ports as it starts");
        Member m = Member.prepare(Member.Kind.KETCD, "port-taken-late");
        int port = port(m, which);
        try {
            m.launchWith("--initial-cluster", m.name() + "=" + m.peerUrl());
            awaitCheckPassed(m);
            try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                long reported = 0;
                long deadline = System.nanoTime() + Member.Kind.KETCD.bootTimeout().toNanos();
                while (m.handle().isAlive() && System.nanoTime() < deadline) {
                    if (reported == 0 && String.join("\n", output(m)).contains(listenError(port))) {
                        reported = System.nanoTime();
                    }
                    Member.sleep(20);
                }
                Integer status = m.awaitExit(Duration.ofSeconds(1));
                long exited = System.nanoTime();
                assertEquals(Integer.valueOf(1), status, () -> m + " did not exit 1 with its " + which + " port taken:\n"
                        + m.logTail(40));
                List<String> output = output(m);
                assertSaysOnceWithoutStackTrace(output, listenError(port), m);
                Duration afterLine = Duration.ofNanos(reported == 0 ? 0 : exited - reported);
                System.out.printf("[system-tests] KETCD with its %s port taken while Karaf booted exited %d ms after its error line%n",
                        which, afterLine.toMillis());
                assertTrue(afterLine.compareTo(PROMPT_EXIT) < 0, () -> m + " took " + afterLine.toMillis() + " ms after its error");
            }
        } finally {
            m.close();
        }
    }

    private static int port(Member m, String which) {
        return which.equals("client") ? Integer.parseInt(m.endpoint().substring(m.endpoint().lastIndexOf(':') + 1)) : m.peerPort();
    }

    /** etcd's words for the port (etcd prefixes them with its log line's head, Ketcd with "ketcd: "). */
    private static String listenError(int port) {
        return "listen tcp 127.0.0.1:" + port + ": bind: address already in use";
    }

    private static void assertSaysOnceWithoutStackTrace(List<String> output, String error, Member m) {
        assertEquals(1, output.stream().filter(line -> line.contains(error)).count(),
                () -> m + " did not say \"" + error + "\" exactly once:\n" + String.join("\n", output));
        assertTrue(output.stream().noneMatch(line -> line.matches("\\s+at \\S+\\(.*") || line.startsWith("Caused by: ")),
                () -> m + " printed a stack trace:\n" + String.join("\n", output));
    }

    /** What the member printed (stdout and stderr), without the harness' own line. */
    private static List<String> output(Member m) {
        try {
            return Files.readAllLines(m.logFile(), StandardCharsets.ISO_8859_1).stream()
                    .filter(line -> !line.startsWith("===== start #")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until bin/ketcd passed its configuration check: it then leaves the flags for Karaf in ketcd.args. */
    private static void awaitCheckPassed(Member m) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(m.runtimeRoot())) {
                try (Stream<Path> files = Files.find(m.runtimeRoot(), 2, (p, a) -> p.getFileName().toString().equals("ketcd.args"))) {
                    if (files.findAny().isPresent()) {
                        return;
                    }
                }
            }
            assertTrue(m.handle().isAlive(), () -> m + " exited before its check passed:\n" + m.logTail(40));
            Member.sleep(5);
        }
        throw new AssertionError(m + " did not pass bin/ketcd's check within 60 s:\n" + m.logTail(40));
    }
}
