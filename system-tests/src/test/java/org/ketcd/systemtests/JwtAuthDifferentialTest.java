package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.EtcdctlComparison;
import org.ketcd.systemtests.harness.Http;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;
import org.ketcd.systemtests.harness.TestPki;

/**
 * JWT auth tokens ({@code --auth-token jwt,...}) side by side with a real etcd 3.4 holding the same RSA key:
 * etcdctl behaves the same, a token signed by one is accepted by the other (the same claims and signature),
 * and a token issued before an auth change is refused by both as old.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class JwtAuthDifferentialTest {
    private static final String ROOT = "--user=root:rootpw";
    private static final String ALICE = "--user=alice:alicepw";
    private Member etcd;
    private Member ketcd;
    private EtcdctlComparison ctl;

    @BeforeAll
    void startBoth() throws Exception {
        Path base = Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work")).toAbsolutePath();
        Files.createDirectories(base);
        String authToken = TestPki.create(Files.createTempDirectory(base, "jwt-")).jwtAuthToken();
        Member[] both = Member.startEtcdAndTarget("jwt", "--auth-token", authToken);
        etcd = both[0];
        ketcd = both[1];
        ctl = new EtcdctlComparison(etcd, ketcd);
        Http.awaitRest(ketcd, Duration.ofSeconds(30));
    }

    @AfterAll
    void stopBoth() {
        if (ctl != null) {
            ctl.close();
        }
    }

    @AfterEach
    void reportDifferences() {
        ctl.reportDifferences();
    }

    private static String token(Member m, String user, String password) {
        Http.Answer a = Http.post(m.endpoint() + "/v3/auth/authenticate", "{\"name\":\"" + user + "\",\"password\":\"" + password + "\"}");
        assertEquals(200, a.status(), () -> m + ": " + a.body());
        return Normalizer.JSON.valueToTree(parse(a.body())).path("token").asText();
    }

    private static Object parse(String json) {
        try {
            return Normalizer.JSON.readValue(json, Object.class);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static Http.Answer range(Member m, String token, String keyBase64) {
        return Http.send(HttpRequest.newBuilder(URI.create(m.endpoint() + "/v3/kv/range")).header("Authorization", token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + keyBase64 + "\"}")));
    }

    @Test
    void a_etcdctl_users_and_permissions_work_the_same_with_jwt_tokens() {
        ctl.same("user", "add", "root:rootpw");
        ctl.same("user", "grant-role", "root", "root");
        ctl.same("role", "add", "app");
        ctl.same("role", "grant-permission", "app", "readwrite", "/app/", "--prefix");
        ctl.same("user", "add", "alice:alicepw");
        ctl.same("user", "grant-role", "alice", "app");
        ctl.same("auth", "enable");
        ctl.same(ALICE, "put", "/app/k", "v");
        ctl.same(ALICE, "get", "/app/k");
        ctl.same(ALICE, "put", "/etc/k", "v");
        ctl.same("--user=alice:wrong", "get", "/app/k");
        ctl.same("get", "/app/k");
    }

    @Test
    void b_a_token_signed_by_etcd_is_good_on_ketcd_and_the_other_way_round() {
        String fromEtcd = token(etcd, "alice", "alicepw");
        String fromKetcd = token(ketcd, "alice", "alicepw");
        String key = java.util.Base64.getEncoder().encodeToString("/app/k".getBytes());
        Http.Answer onKetcd = range(ketcd, fromEtcd, key);
        assertEquals(200, onKetcd.status(), onKetcd.body());
        assertTrue(onKetcd.body().contains("\"count\":\"1\""), onKetcd.body());
        Http.Answer onEtcd = range(etcd, fromKetcd, key);
        assertEquals(200, onEtcd.status(), onEtcd.body());
        assertTrue(onEtcd.body().contains("\"count\":\"1\""), onEtcd.body());
    }

    @Test
    void c_a_token_from_before_an_auth_change_is_refused_as_old_by_both() {
        String etcdToken = token(etcd, "alice", "alicepw");
        String ketcdToken = token(ketcd, "alice", "alicepw");
        ctl.same(ROOT, "role", "add", "another");
        String key = java.util.Base64.getEncoder().encodeToString("/app/k".getBytes());
        Http.Answer e = range(etcd, etcdToken, key);
        Http.Answer k = range(ketcd, ketcdToken, key);
        assertEquals(e.status() + " " + e.body(), k.status() + " " + k.body());
        assertTrue(k.body().contains("revision of auth store is old"), k.body());
    }
}
