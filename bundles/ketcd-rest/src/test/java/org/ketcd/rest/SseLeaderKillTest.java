package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSE on 3 members: a client watches a tree through the leader, the leader is stopped while a writer keeps
 * writing through the survivors; the client reconnects to a survivor with Last-Event-ID and receives
 * every revision exactly once, in order. Then a resume from a compacted revision gets the compacted event.
 */
@Timeout(180)
class SseLeaderKillTest {
    @TempDir
    Path dir;

    static long put(RestCluster cluster, int member, String path, String value) throws Exception {
        HttpResponse<String> r = cluster.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(member) + "/config/" + path))
                .PUT(HttpRequest.BodyPublishers.ofString(value)));
        assertTrue(r.statusCode() == 200 || r.statusCode() == 201, r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject().get("revision").getAsLong();
    }

    @Test
    void sseResumesWithoutLossOnAnotherMemberAfterTheLeaderIsKilledAndReportsCompaction() throws Exception {
        try (RestCluster cluster = RestCluster.start(dir, 3)) {
            int leader = cluster.cluster().awaitLeader();
            int survivor = (leader + 1) % 3;
            List<Long> written = new ArrayList<>();
            List<Long> seen = new ArrayList<>();
            String lastId;
            try (SseClient sse = SseClient.open(cluster.http(), cluster.clientUrl(leader) + "/config/ha/?watch", null)) {
                for (int i = 0; i < 5; i++) {
                    written.add(put(cluster, survivor, "ha/k" + i, "v" + i));
                }
                for (int i = 0; i < 5; i++) {
                    SseClient.SseEvent e = sse.next(10);
                    assertNotNull(e, "event " + i + " before the kill");
                    seen.add(Long.parseLong(e.id()));
                }
                lastId = seen.get(seen.size() - 1).toString();
                cluster.stop(leader);
            }
            // written while no one watches, through a survivor (the remaining two elect a leader)
            for (int i = 5; i < 10; i++) {
                written.add(putRetrying(cluster, survivor, "ha/k" + i, "v" + i));
            }
            try (SseClient sse = SseClient.open(cluster.http(), cluster.clientUrl(survivor) + "/config/ha/?watch", lastId)) {
                for (int i = 5; i < 10; i++) {
                    SseClient.SseEvent e = sse.next(10);
                    assertNotNull(e, "event " + i + " after resuming");
                    assertEquals("change", e.name(), e.toString());
                    seen.add(Long.parseLong(e.id()));
                }
            }
            assertEquals(written, seen, "every revision exactly once, in order");

            // compact past the resume point: the stream says so and ends
            long now = put(cluster, survivor, "ha/last", "x");
            cluster.post(survivor, "/v3/kv/compaction", "{\"revision\":\"" + now + "\",\"physical\":true}");
            try (SseClient sse = SseClient.open(cluster.http(), cluster.clientUrl(survivor) + "/config/ha/?watch", lastId)) {
                SseClient.SseEvent e = sse.next(10);
                assertNotNull(e);
                assertEquals("compacted", e.name(), e.toString());
                assertTrue(e.data().contains("\"compactRevision\":" + now), e.data());
                assertEquals("<end>", sse.next(10).name(), "the stream ends after the compacted event");
            }
        }
    }

    /** A write during the election after the kill may fail (503); retried, create-only, until it lands. */
    static long putRetrying(RestCluster cluster, int member, String path, String value) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            HttpResponse<String> r = cluster.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(member) + "/config/" + path))
                    .header("If-None-Match", "*").PUT(HttpRequest.BodyPublishers.ofString(value)));
            if (r.statusCode() == 201) {
                return JsonParser.parseString(r.body()).getAsJsonObject().get("revision").getAsLong();
            }
            if (r.statusCode() == 412) {
                // an earlier attempt was applied although its answer was lost: that write is the one
                HttpResponse<String> got = cluster.get(member, "/config/" + path);
                assertEquals(value, got.body());
                return Long.parseLong(got.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no write through member " + member + " after the kill: " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(200);
        }
    }
}
