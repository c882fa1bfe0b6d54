package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.Http;
import org.ketcd.systemtests.harness.Leadership;
import org.ketcd.systemtests.harness.Member;

/**
 * Ketcd's configuration API on three bin/ketcd members, over curl-shaped HTTP on their client URLs:
 * compare-and-swap across members, bulk apply of a tree in one revision, history; then an SSE watch held on
 * the leader, the leader killed with SIGKILL while writes go on through a survivor, and the client resuming
 * on a survivor with Last-Event-ID receives every revision exactly once. (etcd has no such API: Ketcd only.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConfigApiClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Http.Answer put(Member m, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(m.endpoint() + "/config/" + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return Http.send(b);
    }

    static JsonNode json(Http.Answer a) {
        try {
            return JSON.readTree(a.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + a.status() + " " + a.body());
        }
    }

    @Test
    void casBulkHistoryAndSseResumeAfterTheLeaderIsKilled() throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "the configuration API is Ketcd's own");
        List<Member> members = Member.startCluster(Member.Kind.KETCD, "cfg", 3);
        try {
            members.forEach(m -> Http.awaitRest(m, Duration.ofSeconds(120)));
            Member leader = Leadership.awaitLeader(members, 0, Duration.ofSeconds(30));
            Member follower = members.stream().filter(m -> m != leader).findFirst().orElseThrow();

            // compare-and-swap across members
            long r1 = json(put(leader, "app/x", "1")).path("revision").asLong();
            assertEquals(200, put(follower, "app/x", "2", "If-Match", "\"" + r1 + "\"").status());
            Http.Answer stale = put(leader, "app/x", "3", "If-Match", "\"" + r1 + "\"");
            assertEquals(412, stale.status(), stale.body());
            assertEquals("2", Http.get(follower.endpoint() + "/config/app/x").body());

            // bulk apply: one revision for the whole tree, old keys gone
            Http.Answer bulk = put(follower, "app/", "{\"db\":{\"url\":\"jdbc:z\",\"pool\":8},\"name\":\"app\"}");
            assertEquals(200, bulk.status(), bulk.body());
            long bulkRevision = json(bulk).path("revision").asLong();
            JsonNode items = json(Http.get(leader.endpoint() + "/config/app/")).path("items");
            assertEquals(3, items.size(), items.toString());
            items.forEach(i -> assertEquals(bulkRevision, i.path("modRevision").asLong(), items.toString()));

            // history: both versions of app/x and its deletion by the bulk apply
            JsonNode history = json(Http.get(leader.endpoint() + "/config/app/x?history")).path("history");
            assertEquals(3, history.size(), history.toString());
            assertEquals("DELETE", history.get(2).path("type").asText());

            // SSE on the leader; the leader dies; resume on a survivor
            List<Long> written = new ArrayList<>();
            List<Long> seen = new ArrayList<>();
            HttpResponse<InputStream> stream = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(leader.endpoint() + "/config/live/?watch"))
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream()).get(20, TimeUnit.SECONDS);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (int i = 0; i < 5; i++) {
                    written.add(json(put(follower, "live/k" + i, "v" + i)).path("revision").asLong());
                }
                while (seen.size() < 5) {
                    String line = in.readLine();
                    assertTrue(line != null, "stream ended early, saw " + seen);
                    if (line.startsWith("id: ")) {
                        seen.add(Long.parseLong(line.substring(4)));
                    }
                }
                leader.kill();
            }
            for (int i = 5; i < 10; i++) {
                written.add(createRetrying(follower, "live/k" + i, "v" + i));
            }
            HttpResponse<InputStream> resumed = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(follower.endpoint() + "/config/live/?watch"))
                    .header("Last-Event-ID", Long.toString(seen.get(4))).GET().build(), HttpResponse.BodyHandlers.ofInputStream())
                    .get(20, TimeUnit.SECONDS);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resumed.body(), StandardCharsets.UTF_8))) {
                while (seen.size() < 10) {
                    String line = in.readLine();
                    assertTrue(line != null, "resumed stream ended early, saw " + seen);
                    if (line.startsWith("id: ")) {
                        seen.add(Long.parseLong(line.substring(4)));
                    }
                }
            }
            assertEquals(written, seen, "every revision exactly once, in order, across the leader kill");
        } finally {
            members.forEach(Member::close);
        }
    }

    /** Create-only, retried while the survivors elect a leader; an earlier attempt that landed counts. */
    private static long createRetrying(Member m, String path, String value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                Http.Answer a = put(m, path, value, "If-None-Match", "*");
                if (a.status() == 201) {
                    return json(a).path("revision").asLong();
                }
                if (a.status() == 412) {
                    Http.Answer got = Http.get(m.endpoint() + "/config/" + path);
                    assertEquals(value, got.body());
                    return Long.parseLong(got.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
                }
            } catch (AssertionError transportFailure) {
                if (System.nanoTime() > deadline) {
                    throw transportFailure;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no write through " + m + " within 60 s after the leader was killed");
            }
            Thread.sleep(250);
        }
    }
}
