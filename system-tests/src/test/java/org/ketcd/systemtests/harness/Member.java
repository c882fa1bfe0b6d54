package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * One member process, either the real etcd or Ketcd's {@code bin/ketcd}, alone or in a cluster, listening on free
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

        public Duration bootTimeout() {
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
    /** The address it listens on: loopback, or its own address in a {@link PeerNetwork} namespace. */
    private final String host;
    /** Prepended to its command line: empty, or {@code ip netns exec <ns>} (which execs: same PID). */
    private final List<String> launchPrefix;
    /** --initial-cluster; this member alone unless it is part of a {@link #startCluster} cluster. */
    private String initialCluster;
    private String initialClusterState = "new";
    /** When set, the member bootstraps with --discovery-srv instead of --initial-cluster. */
    /** Flags that replace --initial-cluster (DNS SRV or discovery bootstrap); null: static bootstrap. */
    private List<String> bootstrapFlags;
    private final java.util.Map<String, String> environment = new java.util.HashMap<>();
    /**
     * KETCD_RUNTIME_DIR of a Ketcd member: Karaf's runtime state (a ~140 MB bundle cache) next to the member's data
     * dir and deleted with it, so that repeated runs leave nothing in the distribution. Null: bin/ketcd's default.
     */
    private Path runtimeRoot;
    private Process process;
    private int starts;
    /** The peer URL's scheme: https once {@link #withPeerTls} was called. */
    private String peerScheme = "http";
    /** The client URL's scheme: https once {@link #withClientTls} was called. */
    private String clientScheme = "http";
    /** etcdctl's TLS flags for this member's client URL (health probes and {@link #ctl}). */
    private List<String> ctlTlsArgs = List.of();

    private Member(Kind kind, String name, Path dir, List<String> extraFlags) {
        this(kind, name, dir, extraFlags, "127.0.0.1", List.of());
    }

    private Member(Kind kind, String name, Path dir, List<String> extraFlags, String host, List<String> launchPrefix) {
        this.kind = kind;
        this.host = host;
        this.launchPrefix = List.copyOf(launchPrefix);
        this.name = name;
        this.dataDir = dir.resolve("data");
        this.logFile = dir.resolve("member.log");
        this.clientPort = TestPorts.next();
        int p;
        do {
            p = TestPorts.next();
        } while (p == clientPort);
        this.peerPort = p;
        this.extraFlags = List.copyOf(extraFlags);
        this.initialCluster = name + "=" + peerUrl();
        if (kind == Kind.KETCD) {
            this.runtimeRoot = dir.resolve("karaf-runtime");
            environment.put("KETCD_RUNTIME_DIR", runtimeRoot.toString());
        }
    }

    /** Starts a fresh member and waits until {@code etcdctl endpoint health} succeeds. */
    public static Member start(Kind kind, String label, String... extraFlags) {
        return startCluster(kind, label, 1, extraFlags).get(0);
    }

    /**
     * A fresh real etcd and a fresh member of the {@link Kind#target() target} started with the same flags,
     * for a differential test: {@code [etcd, target]}. If the second does not start, the first is stopped.
     */
    public static Member[] startEtcdAndTarget(String label, String... extraFlags) {
        Member etcd = start(Kind.ETCD, label, extraFlags);
        try {
            return new Member[] {etcd, start(Kind.target(), label, extraFlags)};
        } catch (RuntimeException | Error e) {
            etcd.close();
            throw e;
        }
    }

    /**
     * Starts a fresh cluster of {@code size} members bootstrapped statically (--initial-cluster), all
     * launched at once, and waits until each answers {@code etcdctl endpoint health}. Close every member.
     */
    public static List<Member> startCluster(Kind kind, String label, int size, String... extraFlags) {
        return startCluster(kind, label, size, null, extraFlags);
    }

    /**
     * As {@link #startCluster(Kind, String, int, String...)}, but with member i (0-based) in its own
     * network namespace of {@code network} (null: all on loopback), so that the test can cut its peer links.
     */
    public static List<Member> startCluster(Kind kind, String label, int size, PeerNetwork network, String... extraFlags) {
        if (kind == Kind.KETCD) {
            ketcdScript(); // fail fast and clearly if the distribution is missing
        }
        List<Member> members = new ArrayList<>();
        try {
            Path base = Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work")).toAbsolutePath();
            Files.createDirectories(base);
            for (int i = 0; i < size; i++) {
                Path dir = Files.createTempDirectory(base, label + "-" + kind.name().toLowerCase() + "-");
                String memberName = "st-" + label + (size == 1 ? "" : "-" + (i + 1));
                members.add(network == null ? new Member(kind, memberName, dir, List.of(extraFlags))
                        : new Member(kind, memberName, dir, List.of(extraFlags), network.address(i), network.launchPrefix(i)));
            }
            String initialCluster = String.join(",", members.stream().map(m -> m.name + "=" + m.peerUrl()).toList());
            for (Member m : members) {
                m.initialCluster = initialCluster;
                m.launch();
            }
            for (Member m : members) {
                m.awaitHealthy();
            }
        } catch (IOException e) {
            members.forEach(Member::close);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            members.forEach(Member::close);
            throw e;
        }
        return members;
    }

    /**
     * A member not started yet (its ports and data dir chosen), to be added to a running cluster with
     * {@code etcdctl member add} and then started with {@link #join(String)}.
     */
    public static Member prepare(Kind kind, String label) {
        try {
            Path base = Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work")).toAbsolutePath();
            Files.createDirectories(base);
            return new Member(kind, "st-" + label, Files.createTempDirectory(base, label + "-" + kind.name().toLowerCase() + "-"),
                    List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts prepared members at once, bootstrapping from the DNS SRV records of {@code domain} served by
     * the DNS server at {@code dnsServer} (Ketcd's KETCD_DNS_SERVERS), and waits until each is healthy.
     */
    public static void startBySrv(List<Member> members, String domain, String dnsServer) {
        for (Member m : members) {
            m.bootstrapFlags = List.of("--discovery-srv", domain);
            m.environment.put("KETCD_DNS_SERVERS", dnsServer);
            m.launch();
        }
        for (Member m : members) {
            m.awaitHealthy();
        }
    }

    /** Starts prepared members with discovery flags (e.g. --discovery url) at once and waits until all are healthy. */
    public static void startByDiscovery(List<Member> members, String... discoveryFlags) {
        for (Member m : members) {
            m.launchWith(discoveryFlags);
        }
        for (Member m : members) {
            m.awaitHealthy();
        }
    }

    /** Starts a prepared member as a cluster of its own, with these flags too, and waits until it is healthy. */
    public void startAlone(String... flags) {
        try {
            List<String> bootstrap = new ArrayList<>(List.of("--initial-cluster", name + "=" + peerUrl()));
            bootstrap.addAll(List.of(flags));
            launchWith(bootstrap.toArray(String[]::new));
            awaitHealthy();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Serves the client URL over https (the TLS flags go with the start's flags); etcdctl reaches it with
     * {@code ctlTlsArgs}, e.g. {@code --cacert=ca.crt --cert=root.crt --key=root.key}.
     */
    public Member withClientTls(String... ctlTlsArgs) {
        this.clientScheme = "https";
        this.ctlTlsArgs = List.of(ctlTlsArgs);
        return this;
    }

    /** Serves the peer URL over https (the peer TLS flags go with the start's flags). */
    public Member withPeerTls() {
        this.peerScheme = "https";
        this.initialCluster = name + "=" + peerUrl();
        return this;
    }

    /**
     * Launches prepared members as one cluster bootstrapped statically, each with its own extra flags, without
     * waiting: the test awaits the members it expects to serve ({@link #awaitHealthy()}).
     */
    public static void launchCluster(List<Member> members, java.util.function.Function<Member, String[]> flagsOf) {
        String cluster = String.join(",", members.stream().map(m -> m.name + "=" + m.peerUrl()).toList());
        for (Member m : members) {
            List<String> flags = new ArrayList<>(List.of("--initial-cluster", cluster));
            flags.addAll(List.of(flagsOf.apply(m)));
            m.launchWith(flags.toArray(String[]::new));
        }
    }

    private String[] withTls(String... args) {
        List<String> all = new ArrayList<>(ctlTlsArgs);
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** Sets an environment variable for the member's next starts (before it starts). */
    public Member withEnvironment(String variable, String value) {
        environment.put(variable, value);
        return this;
    }

    /**
     * A prepared Ketcd member keeps Karaf's runtime state where bin/ketcd puts it by default (under the
     * distribution): the test that uses it must remove it.
     */
    public Member withDefaultRuntimeDir() {
        environment.remove("KETCD_RUNTIME_DIR");
        runtimeRoot = null;
        return this;
    }

    /** The KETCD_RUNTIME_DIR this Ketcd member runs with (null: bin/ketcd's default). */
    public Path runtimeRoot() {
        return runtimeRoot;
    }

    /** Starts a prepared member with these bootstrap flags without waiting (for a start that must fail). */
    public void launchWith(String... bootstrapFlags) {
        this.bootstrapFlags = List.of(bootstrapFlags);
        launch();
    }

    public int peerPort() {
        return peerPort;
    }

    /** A probe of the member's client port ({@link ConnectionProbe}), started. */
    public ConnectionProbe probeClientPort() {
        return ConnectionProbe.start(host, clientPort);
    }

    /** Starts a prepared member with --initial-cluster-state existing and waits until it is healthy. */
    public void join(String initialCluster) {
        this.initialCluster = initialCluster;
        this.initialClusterState = "existing";
        try {
            launch();
            awaitHealthy();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public String peerUrl() {
        return peerScheme + "://" + host + ":" + peerPort;
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

    /** The distribution's home, when the member runs another than the one under test (a rolling update). */
    private Path distribution;

    /** From its next start on, this Ketcd member runs the distribution at {@code home}, with the same data and runtime dirs. */
    public void useDistribution(Path home) {
        this.distribution = home;
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(launchPrefix);
        cmd.add(kind == Kind.ETCD ? "etcd" : distribution != null ? distribution.resolve("bin/ketcd").toString() : ketcdScript().toString());
        cmd.addAll(flags());
        start(cmd);
    }

    /** The flags this member runs with. */
    private List<String> flags() {
        List<String> cmd = new ArrayList<>();
        String client = endpoint();
        String peer = peerUrl();
        cmd.addAll(List.of(
                "--name", name,
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster-token", "system-tests",
                "--initial-cluster-state", initialClusterState));
        // Bootstrapped from DNS SRV records, or from the member list.
        cmd.addAll(bootstrapFlags != null ? bootstrapFlags : List.of("--initial-cluster", initialCluster));
        cmd.addAll(extraFlags);
        return cmd;
    }

    /**
     * Makes this prepared Ketcd member's data dir from a saved snapshot ({@code bin/ketcd snapshot
     * restore} with the member's own flags), then starts it and waits until healthy.
     */
    public CommandResult restoreAndStart(Path snapshot) {
        List<String> cmd = new ArrayList<>(List.of(ketcdScript().toString(), "snapshot", "restore", snapshot.toString()));
        cmd.addAll(flags());
        CommandResult restored = run(cmd);
        if (restored.ok()) {
            launch();
            awaitHealthy();
        }
        return restored;
    }

    /** Runs a short command to its end (registered with the {@link Reaper} meanwhile). */
    static CommandResult run(List<String> cmd) {
        try {
            Process p = Reaper.register(new ProcessBuilder(cmd).start());
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            Reaper.killNow(p);
            return new CommandResult(cmd, code, out, err, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void start(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("ETCDCTL_") || k.startsWith("KETCD_"));
        pb.environment().putAll(environment);
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

    /** Waits until {@code etcdctl endpoint health} succeeds; fails if the member exits or does not within its boot timeout. */
    public void awaitHealthy() {
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
            last = Etcdctl.run(endpoint(), null, Duration.ofSeconds(6), withTls("endpoint", "health"));
            if (last.ok() && (last.stdout() + last.stderr()).contains("is healthy")) {
                return;
            }
            sleep(500);
        }
        throw new AssertionError(this + " not healthy within " + kind.bootTimeout().toSeconds() + " s. Last probe:\n"
                + last + "\nLast lines of " + logFile + ":\n" + logTail(60));
    }

    public String endpoint() {
        return clientScheme + "://" + host + ":" + clientPort;
    }

    public Kind kind() {
        return kind;
    }

    public long pid() {
        return process.pid();
    }

    /** Waits at most {@code timeout} for the process to end by itself; its exit status, or null if still running. */
    public Integer awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public CommandResult ctl(String... args) {
        return Etcdctl.run(endpoint(), withTls(args));
    }

    /** etcdctl without this member's TLS flags (see {@link #withClientTls}): a client that has no certificate. */
    public CommandResult ctlWithoutTls(String... args) {
        return Etcdctl.run(endpoint(), args);
    }

    public CommandResult ctlWithin(Duration timeout, String... args) {
        return Etcdctl.run(endpoint(), null, timeout, withTls(args));
    }

    public CommandResult ctlStdin(String stdin, String... args) {
        return Etcdctl.run(endpoint(), stdin, Etcdctl.DEFAULT_TIMEOUT, withTls(args));
    }

    /** SIGKILL (no shutdown hooks, no flush) the member process and anything it spawned. */
    public void kill() {
        Reaper.killNow(process);
    }

    /** Sends {@code signal} (e.g. STOP, CONT) to the member's own PID with kill(1). */
    public void signal(String signal) {
        CommandResult r = run(List.of("kill", "-" + signal, Long.toString(process.pid())));
        if (!r.ok()) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + r);
        }
    }

    /** SIGTERM (a graceful stop) and waits at most {@code timeout} for the exit; SIGKILL after that. */
    public void terminate(Duration timeout) {
        process.destroy();
        if (awaitExit(timeout) == null) {
            System.err.println("[system-tests] " + this + " did not stop within " + timeout + " of SIGTERM; SIGKILL");
        }
        Reaper.killNow(process);
    }

    /** Deletes the data dir of a stopped member (a lost disk); the log file stays. */
    public void wipeDataDir() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("still running: " + this);
        }
        deleteRecursively(dataDir);
        if (Files.exists(dataDir)) {
            throw new IllegalStateException("cannot delete " + dataDir);
        }
    }

    /** Starts the member again on the same data dir and ports, waiting until healthy. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("still running: " + this);
        }
        launch();
        awaitHealthy();
    }

    /**
     * Starts all these stopped members at once, then waits until each is healthy (one alone cannot be:
     * health needs a quorum).
     */
    public static void restartAll(List<Member> members) {
        for (Member m : members) {
            if (m.process.isAlive()) {
                throw new IllegalStateException("still running: " + m);
            }
            m.launch();
        }
        for (Member m : members) {
            m.awaitHealthy();
        }
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

    /** The member's --data-dir (deleted by {@link #close()}). */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        if (process != null) {
            Reaper.killNow(process);
        }
        deleteRecursively(dataDir); // logs stay in target/ for diagnosis
        if (runtimeRoot != null) {
            deleteRecursively(runtimeRoot);
        }
    }

    @Override
    public String toString() {
        return kind + "[" + endpoint() + (process != null ? ", pid " + process.pid() : "") + "]";
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort; target/ is cleaned by mvn clean anyway
        }
    }


    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
