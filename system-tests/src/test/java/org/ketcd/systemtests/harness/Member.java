package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One single-member cluster process, either the real etcd or Ketcd's {@code bin/ketcd}, listening on free
 * loopback ports with its own data dir under the module's target directory. Always close it (try-with-
 * resources / @AfterAll); the {@link Reaper} shutdown hook is only a backstop.
 */
public final class Member implements AutoCloseable {

    public enum Kind {
        ETCD, KETCD;

        /** What plays "Ketcd" in the tests: Ketcd unless -Dsystem-tests.target=etcd (harness self-check). */
        public static Kind target() {
            String t = System.getProperty("system-tests.target", "ketcd").trim().toLowerCase();
            return switch (t) {
                case "", "ketcd" -> KETCD;
                case "etcd" -> ETCD;
                default -> throw new IllegalArgumentException("system-tests.target must be ketcd or etcd, not " + t);
            };
        }

        Duration bootTimeout() {
            return this == ETCD ? Duration.ofSeconds(30) : Duration.ofSeconds(150);
        }
    }

    private final Kind kind;
    private final String name;
    private final Path dataDir;
    private final Path logFile;
    private final int clientPort;
    private final int peerPort;
    private final List<String> extraFlags;
    private Process process;
    private int starts;

    private Member(Kind kind, String name, Path dir, List<String> extraFlags) {
        this.kind = kind;
        this.name = name;
        this.dataDir = dir.resolve("data");
        this.logFile = dir.resolve("member.log");
        this.clientPort = freePort();
        int p;
        do {
            p = freePort();
        } while (p == clientPort);
        this.peerPort = p;
        this.extraFlags = List.copyOf(extraFlags);
    }

    /** Starts a fresh member and waits until {@code etcdctl endpoint health} succeeds. */
    public static Member start(Kind kind, String label, String... extraFlags) {
        if (kind == Kind.KETCD) {
            ketcdScript(); // fail fast and clearly if the distribution is missing
        }
        Path dir;
        try {
            Path base = Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work")).toAbsolutePath();
            Files.createDirectories(base);
            dir = Files.createTempDirectory(base, label + "-" + kind.name().toLowerCase() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Member m = new Member(kind, "st-" + label, dir, List.of(extraFlags));
        try {
            m.launch();
            m.awaitHealthy();
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
        return m;
    }

    public static Path ketcdScript() {
        Path assembly = Paths.get(System.getProperty("ketcd.assembly", "../karaf-assembly/target/assembly"))
                .toAbsolutePath().normalize();
        Path script = assembly.resolve("bin/ketcd");
        if (!Files.isExecutable(script)) {
            throw new AssertionError("Ketcd distribution not found: " + script + " does not exist or is not executable. "
                    + "The system tests run the real bin/ketcd; build the whole project first with `mvn -B install` at "
                    + "the repository root (karaf-assembly is built before system-tests), or point -Dketcd.assembly at "
                    + "an unpacked distribution.");
        }
        return script;
    }

    private void launch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(kind == Kind.ETCD ? "etcd" : ketcdScript().toString());
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        cmd.addAll(List.of(
                "--name", name,
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", name + "=" + peer,
                "--initial-cluster-token", "system-tests",
                "--initial-cluster-state", "new"));
        cmd.addAll(extraFlags);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("ETCDCTL_"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            Files.writeString(logFile, "===== start #" + (++starts) + ": " + String.join(" ", cmd) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = Reaper.register(pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd, e);
        }
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + kind.bootTimeout().toNanos();
        CommandResult last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(this + " exited with code " + process.exitValue() + " before becoming healthy.\n"
                        + "Last lines of " + logFile + ":\n" + logTail(60));
            }
            if (kind == Kind.KETCD && logContains("INFO: Lock failed")) {
                throw new AssertionError(this + ": Karaf is waiting for the instance lock held by another member started "
                        + "from the same distribution (karaf.lock.dir must be per member).\nLast lines of " + logFile + ":\n"
                        + logTail(30));
            }
            if (kind == Kind.KETCD && logContains("Unable to resolve root")) {
                // Karaf keeps running when a boot feature cannot be resolved; no point in waiting.
                throw new AssertionError(this + ": Karaf could not resolve its boot features; the member will never serve.\n"
                        + "Last lines of " + logFile + ":\n" + logTail(30));
            }
            last = Etcdctl.run(endpoint(), null, Duration.ofSeconds(6), "endpoint", "health");
            if (last.ok() && (last.stdout() + last.stderr()).contains("is healthy")) {
                return;
            }
            sleep(500);
        }
        throw new AssertionError(this + " not healthy within " + kind.bootTimeout().toSeconds() + " s. Last probe:\n"
                + last + "\nLast lines of " + logFile + ":\n" + logTail(60));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    public Kind kind() {
        return kind;
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public CommandResult ctl(String... args) {
        return Etcdctl.run(endpoint(), args);
    }

    public CommandResult ctlWithin(Duration timeout, String... args) {
        return Etcdctl.run(endpoint(), null, timeout, args);
    }

    public CommandResult ctlStdin(String stdin, String... args) {
        return Etcdctl.run(endpoint(), stdin, Etcdctl.DEFAULT_TIMEOUT, args);
    }

    /** SIGKILL (no shutdown hooks, no flush) the member process and anything it spawned. */
    public void kill() {
        Reaper.killNow(process);
    }

    /** Starts the member again on the same data dir and ports, waiting until healthy. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("still running: " + this);
        }
        launch();
        awaitHealthy();
    }

    public Optional<String> command() {
        return process.info().command();
    }

    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "<cannot read " + logFile + ": " + e + ">";
        }
    }

    private boolean logContains(String text) {
        try {
            return Files.readString(logFile, StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public void close() {
        if (process != null) {
            Reaper.killNow(process);
        }
        deleteRecursively(dataDir); // logs stay in target/ for diagnosis
    }

    @Override
    public String toString() {
        return kind + "[" + endpoint() + (process != null ? ", pid " + process.pid() : "") + "]";
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort; target/ is cleaned by mvn clean anyway
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
