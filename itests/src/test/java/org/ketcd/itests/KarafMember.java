package org.ketcd.itests;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;

/**
 * Pax Exam options for the real distribution (karaf-assembly) running one member configured through
 * ConfigAdmin ({@code etc/org.ketcd.server.cfg}: free loopback ports, a fresh data dir), with nothing of
 * Karaf's own listening where another container or member could clash.
 */
final class KarafMember {
    final int clientPort = freePort();
    final int peerPort = freePort();
    final String clientUrl = "http://127.0.0.1:" + clientPort;
    final String peerUrl = "http://127.0.0.1:" + peerPort;
    final Path target = Path.of(System.getProperty("ketcd.itest.dir", "target")).toAbsolutePath();
    final String version = System.getProperty("ketcd.version", "0.1.0-SNAPSHOT");

    /** The container's options, then {@code extra}. */
    Option[] options(String name, Option... extra) throws IOException {
        Path dataDir = Files.createTempDirectory(Files.createDirectories(target.resolve("itest-data")), name + "-");
        String cfg = "etc/org.ketcd.server.cfg";
        List<Option> options = new ArrayList<>(List.of(
            karafDistributionConfiguration()
                    .frameworkUrl(maven().groupId("org.ketcd").artifactId("ketcd-karaf-assembly").version(version).type("tar.gz"))
                    .unpackDirectory(target.resolve("exam").toFile())
                    .karafVersion("4.4.10")
                    .name("Ketcd")
                    .useDeployFolder(false),
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
            logLevel(LogLevel.INFO),
            // the member: ConfigAdmin PID org.ketcd.server, keys are etcd flag names
            editConfigurationFilePut(cfg, "name", name),
            editConfigurationFilePut(cfg, "data-dir", dataDir.toString()),
            editConfigurationFilePut(cfg, "listen-client-urls", clientUrl),
            editConfigurationFilePut(cfg, "advertise-client-urls", clientUrl),
            editConfigurationFilePut(cfg, "listen-peer-urls", peerUrl),
            editConfigurationFilePut(cfg, "initial-advertise-peer-urls", peerUrl),
            editConfigurationFilePut(cfg, "initial-cluster", name + "=" + peerUrl),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(freePort())),
            systemProperty("derby.stream.error.file").value(target.resolve("exam-derby-" + name + ".log").toString()),
            // what bin/karaf adds and Pax Exam does not (VERSIONS.md pitfall 4): Netty, Hazelcast
            vmOptions(
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.security=ALL-UNNAMED",
                    "--add-opens=java.naming/javax.naming.spi=ALL-UNNAMED",
                    "--add-opens=java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "-Xmx512m")));
        options.addAll(List.of(extra));
        return options.toArray(Option[]::new);
    }

    /** The container's Karaf home that Pax Exam unpacked for this member: the one whose cfg names its client URL. */
    Path home() throws IOException {
        try (java.util.stream.Stream<Path> homes = Files.list(target.resolve("exam"))) {
            for (Path home : homes.toList()) {
                Path cfg = home.resolve("etc/org.ketcd.server.cfg");
                if (Files.exists(cfg)) {
                    java.util.Properties p = new java.util.Properties();
                    try (java.io.Reader r = Files.newBufferedReader(cfg)) {
                        p.load(r);
                    }
                    if (clientUrl.equals(p.getProperty("listen-client-urls"))) {
                        return home;
                    }
                }
            }
        }
        throw new IllegalStateException("no container under " + target.resolve("exam") + " has " + clientUrl);
    }

    /**
     * Karaf installs the boot features asynchronously after the container is up: waits until the member
     * answers a read.
     */
    static void awaitServing(KV kv, String clientUrl) throws InterruptedException {
        ByteSequence probe = ByteSequence.from("itest-probe", StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            try {
                kv.get(probe).get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("member did not serve " + clientUrl + " within 180 s", notYet);
                }
                Thread.sleep(500);
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
