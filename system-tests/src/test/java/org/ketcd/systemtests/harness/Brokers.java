package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The message brokers the Camel tests talk to, as Debian packages them, on their standard loopback ports:
 * Mosquitto (MQTT, 127.0.0.1:1883), RabbitMQ (AMQP 0-9-1, 127.0.0.1:5672) and NATS with JetStream
 * (127.0.0.1:4222). {@code ensure*()} returns at once when the port already accepts connections (a broker
 * someone else started is used as it is, never stopped); otherwise it starts the broker as a daemon with a
 * fixed command and waits, bounded, for the port. A missing binary is installed with apt-get when running as
 * root. Nothing is skipped silently: a broker that cannot be had fails the test with the reason.
 *
 * <p>Brokers started here are daemons and outlive the test JVM on purpose (the next test class reuses them;
 * RabbitMQ alone takes ~20 s to start). .ci/run installs the packages without starting their services.
 */
public final class Brokers {
    public static final String HOST = "127.0.0.1";
    public static final int MQTT_PORT = 1883;
    public static final int AMQP_PORT = 5672;
    public static final int NATS_PORT = 4222;

    private record Broker(String name, int port, Path binary, String debianPackage, List<String> start,
            Duration startTimeout, String logHint) {
    }

    private static final Broker MOSQUITTO = new Broker("Mosquitto", MQTT_PORT, Path.of("/usr/sbin/mosquitto"),
            "mosquitto", List.of("mosquitto", "-d", "-c", "/etc/mosquitto/mosquitto.conf"), Duration.ofSeconds(20),
            "/var/log/mosquitto/mosquitto.log");
    private static final Broker RABBITMQ = new Broker("RabbitMQ", AMQP_PORT, Path.of("/usr/sbin/rabbitmq-server"),
            "rabbitmq-server", List.of("rabbitmq-server", "-detached"), Duration.ofSeconds(90), "/var/log/rabbitmq/");
    private static final Broker NATS = new Broker("NATS", NATS_PORT, Path.of("/usr/sbin/nats-server"), "nats-server",
            List.of("start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/nats-server", "--",
                    "-a", "127.0.0.1", "-p", "4222", "-js", "-sd", "/var/lib/nats-server", "-l", "/var/log/nats-server.log"),
            Duration.ofSeconds(20), "/var/log/nats-server.log");

    private Brokers() {
    }

    /** Mosquitto on 127.0.0.1:1883 ({@code mosquitto -d -c /etc/mosquitto/mosquitto.conf}). */
    public static String ensureMosquitto() {
        ensure(MOSQUITTO);
        return "tcp://" + HOST + ":" + MQTT_PORT;
    }

    /** RabbitMQ on 127.0.0.1:5672 ({@code rabbitmq-server -detached}; guest/guest works from loopback). */
    public static String ensureRabbitMq() {
        ensure(RABBITMQ);
        return "amqp://" + HOST + ":" + AMQP_PORT;
    }

    /** NATS with JetStream on 127.0.0.1:4222 (nats-server under start-stop-daemon). */
    public static String ensureNats() {
        ensure(NATS);
        return "nats://" + HOST + ":" + NATS_PORT;
    }

    private static synchronized void ensure(Broker b) {
        if (accepts(b.port)) {
            return;
        }
        if (!Files.isExecutable(b.binary)) {
            install(b);
            if (accepts(b.port)) {
                return; // the package's own service came up
            }
        }
        CommandResult started = run(b.start, Duration.ofSeconds(60));
        if (!started.ok()) {
            // e.g. "already running" while still starting: the port decides, below; keep the output for the message
            System.err.println("[system-tests] " + b.name + " start command failed: " + started);
        }
        long deadline = System.nanoTime() + b.startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (accepts(b.port)) {
                return;
            }
            Member.sleep(250);
        }
        throw new AssertionError(b.name + " does not accept connections on " + HOST + ":" + b.port + " within "
                + b.startTimeout.toSeconds() + " s of `" + String.join(" ", b.start) + "` (exit " + started.exitCode()
                + ", output: " + (started.stdout() + started.stderr()).strip() + "); see " + b.logHint);
    }

    private static void install(Broker b) {
        String how = "apt-get install -y --no-install-recommends " + b.debianPackage;
        if (!isRoot()) {
            throw new AssertionError(b.name + " is not listening on " + HOST + ":" + b.port + " and " + b.binary
                    + " is missing; this test needs it. Install Debian's " + b.debianPackage + " as root (" + how
                    + ", or run .ci/run), or start a " + b.name + " on " + HOST + ":" + b.port + " yourself.");
        }
        CommandResult r = run(List.of("apt-get", "install", "-y", "--no-install-recommends", b.debianPackage),
                Duration.ofMinutes(5));
        if (!r.ok() || !Files.isExecutable(b.binary)) {
            throw new AssertionError(b.name + " is missing (" + b.binary + ") and `" + how + "` did not install it: " + r);
        }
    }

    private static boolean isRoot() {
        CommandResult r = run(List.of("id", "-u"), Duration.ofSeconds(10));
        return r.ok() && r.stdout().strip().equals("0");
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a command that ends by itself (daemonizing start commands do), bounded; output captured. */
    private static CommandResult run(List<String> cmd, Duration timeout) {
        try {
            Path out = Files.createTempFile("broker-cmd", ".out");
            Path err = Files.createTempFile("broker-cmd", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
                // Not registered with the Reaper: a daemon the command forks must outlive this JVM. Only the
                // command itself is killed if it overruns.
                Process p = pb.start();
                boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!ended) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
                String o = Files.readString(out, StandardCharsets.UTF_8);
                String e = Files.readString(err, StandardCharsets.UTF_8);
                return new CommandResult(cmd, ended ? p.exitValue() : -1, o, e, !ended);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return new CommandResult(cmd, -1, "", "cannot run: " + e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
