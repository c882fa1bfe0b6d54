package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdAuth;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Permission;

/**
 * With etcd's auth enabled, the JSON gateway takes a token in Authorization as etcd's does, and the
 * configuration and services API take a token (Bearer or bare) or HTTP Basic user and password, with the
 * user's permissions: 401 without or with wrong credentials, 403 outside the user's permissions.
 */
@Timeout(120)
class RestAuthTest {
    @TempDir
    Path dir;

    private static void enable(EtcdServer member) throws Exception {
        EtcdAuth auth = member.auth();
        auth.userAdd("root", "rootpw").get(30, TimeUnit.SECONDS);
        auth.userGrantRole("root", "root").get(30, TimeUnit.SECONDS);
        auth.roleAdd("app").get(30, TimeUnit.SECONDS);
        // the configuration API keeps /config/<path> at the key /config/<path>, its content type at /config-types/<path>
        for (String prefix : new String[] {"/config/app/", "/config-types/app/"}) {
            auth.roleGrantPermission("app", new Permission(Permission.Type.READWRITE, Bytes.utf8(prefix),
                    Bytes.prefixEnd(Bytes.utf8(prefix)))).get(30, TimeUnit.SECONDS);
        }
        auth.userAdd("alice", "alicepw").get(30, TimeUnit.SECONDS);
        auth.userGrantRole("alice", "app").get(30, TimeUnit.SECONDS);
        auth.enable().get(30, TimeUnit.SECONDS);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> put(RestCluster c, String path, String value, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.clientUrl(0) + path)).PUT(HttpRequest.BodyPublishers.ofString(value));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return c.send(b);
    }

    private static HttpResponse<String> get(RestCluster c, String path, String authorization) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(c.clientUrl(0) + path)).header("Authorization", authorization).GET());
    }

    @Test
    void theConfigurationApiActsAsTheUserOfItsCredentials() throws Exception {
        try (RestCluster cluster = RestCluster.start(dir, 1, "--bcrypt-cost", "4")) {
            enable(cluster.cluster().member(0).server());
            assertEquals(401, put(cluster, "/config/app/db", "{\"url\":\"x\"}", null).statusCode(), "no credentials");
            assertEquals(401, put(cluster, "/config/app/db", "{}", basic("alice", "wrong")).statusCode(), "wrong password");
            HttpResponse<String> written = put(cluster, "/config/app/db", "{\"url\":\"x\"}", basic("alice", "alicepw"));
            assertEquals(201, written.statusCode(), written.body());
            HttpResponse<String> outside = put(cluster, "/config/etc/secret", "{}", basic("alice", "alicepw"));
            assertEquals(403, outside.statusCode(), outside.body());
            assertTrue(outside.body().contains("etcdserver: permission denied"), outside.body());

            HttpResponse<String> login = cluster.post(0, "/v3/auth/authenticate", "{\"name\":\"alice\",\"password\":\"alicepw\"}");
            assertEquals(200, login.statusCode(), login.body());
            String token = JsonParser.parseString(login.body()).getAsJsonObject().get("token").getAsString();
            HttpResponse<String> read = get(cluster, "/config/app/db", "Bearer " + token);
            assertEquals(200, read.statusCode(), read.body());
            assertEquals("{\"url\":\"x\"}", read.body());
            assertEquals(200, get(cluster, "/config/app/db", token).statusCode(), "the bare token, as etcd's gateway");
            assertEquals(401, get(cluster, "/config/app/db", "Bearer forged.1").statusCode());
            assertEquals(403, get(cluster, "/config/etc/?watch", basic("alice", "alicepw")).statusCode(),
                    "a watch the user may not read is refused before it streams");
            HttpResponse<String> asRoot = get(cluster, "/config/etc/secret", basic("root", "rootpw"));
            assertEquals(404, asRoot.statusCode(), "root may read anything (nothing there)");
        }
    }

    @Test
    void theJsonGatewayTakesTheTokenInAuthorizationAsEtcds() throws Exception {
        try (RestCluster cluster = RestCluster.start(dir, 1, "--bcrypt-cost", "4")) {
            enable(cluster.cluster().member(0).server());
            HttpResponse<String> anonymous = cluster.post(0, "/v3/kv/range", "{\"key\":\"YQ==\"}");
            assertEquals(400, anonymous.statusCode(), anonymous.body());
            assertTrue(anonymous.body().contains("etcdserver: user name is empty"), anonymous.body());
            HttpResponse<String> login = cluster.post(0, "/v3/auth/authenticate", "{\"name\":\"root\",\"password\":\"rootpw\"}");
            String token = JsonParser.parseString(login.body()).getAsJsonObject().get("token").getAsString();
            HttpResponse<String> range = cluster.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + "/v3/kv/range"))
                    .header("Authorization", token).POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"YQ==\"}")));
            assertEquals(200, range.statusCode(), range.body());
            HttpResponse<String> users = cluster.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + "/v3/auth/user/list"))
                    .header("Authorization", token).POST(HttpRequest.BodyPublishers.ofString("{}")));
            assertEquals(200, users.statusCode(), users.body());
            assertTrue(users.body().contains("\"alice\""), users.body());
        }
    }
}
