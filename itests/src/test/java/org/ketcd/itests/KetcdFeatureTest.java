package org.ketcd.itests;

import static org.junit.Assert.assertEquals;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.junit.PaxExamServer;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;

/**
 * The real distribution (karaf-assembly) in a Pax Exam Karaf container: the {@code ketcd-server}
 * feature starts a member configured through ConfigAdmin ({@code etc/org.ketcd.server.cfg} with free
 * loopback ports and a fresh data dir); a jetcd client in this JVM, outside the container, puts and
 * gets a key over the etcd v3 gRPC API.
 *
 * <p>{@link PaxExamServer} starts the container once for the class (the per-class strategy) in server
 * mode, so the test methods run here, in the test JVM, where jetcd lives.
 */
public class KetcdFeatureTest {
    static final int CLIENT_PORT = freePort();
    static final int PEER_PORT = freePort();
    static final int SSH_PORT = freePort();
    static final int RMI_REGISTRY_PORT = freePort();
    static final int RMI_SERVER_PORT = freePort();
    static final String CLIENT_URL = "http://127.0.0.1:" + CLIENT_PORT;
    static final String PEER_URL = "http://127.0.0.1:" + PEER_PORT;

    @ClassRule
    public static final PaxExamServer EXAM = new PaxExamServer(KetcdFeatureTest.class);

    @Configuration
    public Option[] config() throws IOException {
        String version = System.getProperty("ketcd.version", "0.1.0-SNAPSHOT");
        Path target = Path.of(System.getProperty("ketcd.itest.dir", "target")).toAbsolutePath();
        Path dataDir = Files.createTempDirectory(Files.createDirectories(target.resolve("itest-data")), "member-");
        String cfg = "etc/org.ketcd.server.cfg";
        return new Option[] {
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
            editConfigurationFilePut(cfg, "name", "itest"),
            editConfigurationFilePut(cfg, "data-dir", dataDir.toString()),
            editConfigurationFilePut(cfg, "listen-client-urls", CLIENT_URL),
            editConfigurationFilePut(cfg, "advertise-client-urls", CLIENT_URL),
            editConfigurationFilePut(cfg, "listen-peer-urls", PEER_URL),
            editConfigurationFilePut(cfg, "initial-advertise-peer-urls", PEER_URL),
            // nothing of Karaf's may clash with another container or member on this machine
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(SSH_PORT)),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(RMI_REGISTRY_PORT)),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(RMI_SERVER_PORT)),
            systemProperty("derby.stream.error.file").value(target.resolve("exam-derby.log").toString()),
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
                    "-Xmx512m"),
        };
    }

    @Test
    public void putAndGetThroughJetcd() throws Exception {
        ByteSequence key = ByteSequence.from("itest-key", StandardCharsets.UTF_8);
        ByteSequence value = ByteSequence.from("itest-value", StandardCharsets.UTF_8);
        try (Client client = Client.builder().endpoints(CLIENT_URL).build()) {
            KV kv = client.getKVClient();
            // Karaf installs the boot features asynchronously after the container is up: wait until
            // the member answers a read, then write exactly once
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (true) {
                try {
                    kv.get(key).get(5, TimeUnit.SECONDS);
                    break;
                } catch (Exception notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("member did not serve " + CLIENT_URL + " within 180 s", notYet);
                    }
                    Thread.sleep(500);
                }
            }
            kv.put(key, value).get(30, TimeUnit.SECONDS);
            GetResponse response = kv.get(key).get(10, TimeUnit.SECONDS);
            assertEquals(1, response.getKvs().size());
            assertEquals("itest-value", response.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
            assertEquals(1L, response.getKvs().get(0).getVersion());
        }
    }

    /**
     * The ketcd-rest feature (a boot feature of the distribution): Jersey, embedded in its bundle, serves
     * etcd's JSON gateway on the same client port as gRPC.
     */
    @Test
    public void jsonGatewayAnswersOnTheClientPort() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        String body = "{\"key\":\"" + java.util.Base64.getEncoder().encodeToString("rest-key".getBytes(StandardCharsets.UTF_8)) + "\"}";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            try {
                java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(CLIENT_URL + "/v3/kv/range"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().startsWith("{\"header\":")) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("JSON gateway answered " + r.statusCode() + " " + r.body());
                }
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("JSON gateway not reachable on " + CLIENT_URL, notYet);
                }
            }
            Thread.sleep(500);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
