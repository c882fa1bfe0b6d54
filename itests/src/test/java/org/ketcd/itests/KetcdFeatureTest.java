package org.ketcd.itests;

import static org.junit.Assert.assertEquals;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.junit.PaxExamServer;

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
    static final KarafMember MEMBER = new KarafMember();
    static final String CLIENT_URL = MEMBER.clientUrl;

    @ClassRule
    public static final PaxExamServer EXAM = new PaxExamServer(KetcdFeatureTest.class);

    @Configuration
    public Option[] config() throws IOException {
        return MEMBER.options("itest");
    }

    @Test
    public void putAndGetThroughJetcd() throws Exception {
        ByteSequence key = ByteSequence.from("itest-key", StandardCharsets.UTF_8);
        ByteSequence value = ByteSequence.from("itest-value", StandardCharsets.UTF_8);
        try (Client client = Client.builder().endpoints(CLIENT_URL).build()) {
            KV kv = client.getKVClient();
            KarafMember.awaitServing(kv, CLIENT_URL);
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

    /**
     * An operator edits etc/org.ketcd.server.cfg while the member runs: the quota and the log level change at once, a
     * Raft timing is logged as waiting for the next start, and the member is not restarted (its "ready" line once).
     */
    @Test
    public void editingTheCfgFileAppliesQuotaAndLogLevelAtOnceWithoutARestart() throws Exception {
        java.nio.file.Path home = MEMBER.home();
        java.nio.file.Path cfg = home.resolve("etc/org.ketcd.server.cfg");
        java.nio.file.Path log = home.resolve("data/log/karaf.log");
        String ready = "ketcd: member itest ready";
        awaitLog(log, ready);
        String original = java.nio.file.Files.readString(cfg);
        try {
            java.nio.file.Files.writeString(cfg, original + "\nquota-backend-bytes = 3221225472\nlog-level = debug\nheartbeat-interval = 200\n");
            awaitLog(log, "ketcd: configuration changed, effective at the member's next start: heartbeat-interval: 100 -> 200");
            String text = java.nio.file.Files.readString(log);
            org.junit.Assert.assertTrue(text.contains("ketcd: configuration changed, applied: quota-backend-bytes: 0 -> 3221225472"));
            org.junit.Assert.assertTrue(text.contains("ketcd: configuration changed, applied: log-level: info -> debug"));
            java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(CLIENT_URL + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            org.junit.Assert.assertTrue(metrics.body(), metrics.body().lines().anyMatch("etcd_server_quota_backend_bytes 3.221225472E9"::equals));
            assertEquals("the member was restarted", 1, text.split(java.util.regex.Pattern.quote(ready), -1).length - 1);
        } finally {
            java.nio.file.Files.writeString(cfg, original);
        }
    }

    private static void awaitLog(java.nio.file.Path log, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!java.nio.file.Files.exists(log) || !java.nio.file.Files.readString(log).contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + line + "\" in " + log + " within 180 s");
            }
            Thread.sleep(200);
        }
    }
}
