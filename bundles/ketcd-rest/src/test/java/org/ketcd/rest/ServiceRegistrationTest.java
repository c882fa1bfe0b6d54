package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Service registration: an instance lives as long as it keeps its TTL lease alive, on any member. */
@Timeout(120)
class ServiceRegistrationTest {
    @TempDir
    Path dir;

    static JsonObject json(HttpResponse<String> r) {
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    @Test
    void anInstanceKeptAliveStaysListedAndDisappearsWhenItStops() throws Exception {
        try (RestCluster cluster = RestCluster.start(dir, 1)) {
            HttpResponse<String> reg = cluster.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + "/services/billing/i1?ttl=2"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"url\":\"http://10.0.0.1:8080\"}")));
            assertEquals(201, reg.statusCode(), reg.body());
            cluster.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + "/services/billing/i2?ttl=60"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"url\":\"http://10.0.0.2:8080\"}")));
            for (int i = 0; i < 4; i++) { // 4 s: twice the TTL
                Thread.sleep(1000);
                HttpResponse<String> kept = cluster.post(0, "/services/billing/i1/keepalive", "");
                assertEquals(200, kept.statusCode(), kept.body());
            }
            HttpResponse<String> listed = cluster.get(0, "/services/billing");
            assertEquals(2, json(listed).getAsJsonArray("instances").size(), listed.body());
            assertTrue(listed.body().contains("http://10.0.0.1:8080"), listed.body());
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (json(cluster.get(0, "/services/billing")).getAsJsonArray("instances").size() != 1) {
                assertTrue(System.nanoTime() < deadline, "i1 still listed 20 s after its keep-alives stopped");
                Thread.sleep(200);
            }
            assertEquals(404, cluster.post(0, "/services/billing/i1/keepalive", "").statusCode(), "expired: register again");
            HttpResponse<String> gone = cluster.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + "/services/billing/i2")).DELETE());
            assertEquals(200, gone.statusCode(), gone.body());
            assertEquals(0, json(cluster.get(0, "/services/billing")).getAsJsonArray("instances").size());
            assertEquals(400, cluster.get(0, "/services/bad%20name").statusCode());
        }
    }
}
