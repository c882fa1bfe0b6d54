package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The configuration API on a 3-member cluster, each request to a chosen member over real HTTP. */
@Timeout(120)
class ConfigApiTest {
    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(3);
    static RestCluster cluster;

    @BeforeAll
    static void bind() {
        cluster = CLUSTER.cluster();
    }

    static HttpResponse<String> put(int member, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.clientUrl(member) + "/config/" + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return cluster.send(b);
    }

    static HttpResponse<String> delete(int member, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.clientUrl(member) + "/config/" + path)).DELETE();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return cluster.send(b);
    }

    static JsonObject json(HttpResponse<String> r) {
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    @Test
    void putThenGetKeepsTheContentTypeAndTheEtagIsTheModRevision() throws Exception {
        HttpResponse<String> created = put(0, "app1/db", "{\"url\":\"jdbc:x\"}", "Content-Type", "application/json");
        assertEquals(201, created.statusCode(), created.body());
        long revision = json(created).get("revision").getAsLong();
        HttpResponse<String> got = cluster.get(1, "/config/app1/db");
        assertEquals(200, got.statusCode());
        assertEquals("{\"url\":\"jdbc:x\"}", got.body());
        assertEquals("application/json", got.headers().firstValue("Content-Type").orElse(""));
        assertEquals("\"" + revision + "\"", got.headers().firstValue("ETag").orElse(""));
        HttpResponse<String> plain = put(2, "app1/name", "hello");
        assertEquals(201, plain.statusCode());
        assertEquals("hello", cluster.get(0, "/config/app1/name").body());
        assertEquals(200, put(2, "app1/name", "again").statusCode(), "a replace is 200, not 201");
    }

    @Test
    void ifMatchIsACompareAndSwapAcrossMembers() throws Exception {
        long first = json(put(0, "cas/x", "1")).get("revision").getAsLong();
        HttpResponse<String> swapped = put(1, "cas/x", "2", "If-Match", "\"" + first + "\"");
        assertEquals(200, swapped.statusCode(), swapped.body());
        long second = json(swapped).get("revision").getAsLong();
        HttpResponse<String> stale = put(2, "cas/x", "3", "If-Match", "\"" + first + "\"");
        assertEquals(412, stale.statusCode(), stale.body());
        assertEquals("\"" + second + "\"", stale.headers().firstValue("ETag").orElse(""), "412 tells the current revision");
        assertEquals("2", cluster.get(0, "/config/cas/x").body(), "the losing write changed nothing");
        assertEquals(412, delete(0, "cas/x", "If-Match", Long.toString(first)).statusCode());
        assertEquals(200, delete(0, "cas/x", "If-Match", Long.toString(second)).statusCode());
        assertEquals(404, cluster.get(1, "/config/cas/x").statusCode());
    }

    @Test
    void ifNoneMatchStarCreatesOnlyOnce() throws Exception {
        assertEquals(201, put(0, "once/x", "a", "If-None-Match", "*").statusCode());
        HttpResponse<String> again = put(1, "once/x", "b", "If-None-Match", "*");
        assertEquals(412, again.statusCode());
        assertEquals("a", cluster.get(2, "/config/once/x").body());
    }

    @Test
    void bulkApplyReplacesATreeInOneRevision() throws Exception {
        put(0, "svc/old", "gone soon");
        HttpResponse<String> applied = put(1, "svc/", "{\"db\":{\"url\":\"jdbc:y\",\"pool\":5},\"name\":\"svc\",\"tags\":[\"a\",\"b\"],\"on\":true}");
        assertEquals(200, applied.statusCode(), applied.body());
        long revision = json(applied).get("revision").getAsLong();
        HttpResponse<String> list = cluster.get(2, "/config/svc/");
        JsonArray items = json(list).getAsJsonArray("items");
        assertEquals(5, items.size(), list.body());
        for (var item : items) {
            assertEquals(revision, item.getAsJsonObject().get("modRevision").getAsLong(), "all in one transaction: " + list.body());
        }
        assertEquals("5", cluster.get(0, "/config/svc/db/pool").body());
        assertEquals("[\"a\",\"b\"]", cluster.get(0, "/config/svc/tags").body());
        assertEquals(404, cluster.get(0, "/config/svc/old").statusCode(), "keys not in the tree are deleted");
    }

    @Test
    void brokenBulkJsonIs400AndChangesNothing() throws Exception {
        put(0, "keep/a", "1");
        long before = cluster.cluster().member(0).server().currentRevision();
        HttpResponse<String> r = put(0, "keep/", "{\"a\":");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(json(r).get("error").getAsString().startsWith("a tree is a JSON object"), r.body());
        assertEquals(before, cluster.cluster().member(0).server().currentRevision());
    }

    @Test
    void revisionReadsThePastAndHistoryListsEveryRetainedVersion() throws Exception {
        long r1 = json(put(0, "hist/x", "v1")).get("revision").getAsLong();
        put(1, "hist/x", "v2");
        delete(2, "hist/x");
        put(0, "hist/x", "v3");
        assertEquals("v1", cluster.get(1, "/config/hist/x?revision=" + r1).body());
        HttpResponse<String> history = cluster.get(2, "/config/hist/x?history");
        assertEquals(200, history.statusCode(), history.body());
        JsonArray versions = json(history).getAsJsonArray("history");
        assertEquals(4, versions.size(), history.body());
        assertEquals("v1", versions.get(0).getAsJsonObject().get("value").getAsString());
        assertEquals("DELETE", versions.get(2).getAsJsonObject().get("type").getAsString());
        assertEquals("v3", versions.get(3).getAsJsonObject().get("value").getAsString());
    }

    @Test
    void valueOverMaxRequestBytesIs413AndBadPathsAre400() throws Exception {
        HttpResponse<String> big = put(0, "big/x", "x".repeat(2 * 1024 * 1024));
        assertEquals(413, big.statusCode(), big.body());
        assertEquals("etcdserver: request is too large", json(big).get("error").getAsString());
        assertEquals(400, put(0, "a//b", "x").statusCode());
        assertEquals(400, put(0, "a/../b", "x").statusCode());
        assertEquals(412, put(0, "x/y", "z", "If-Match", "12345678").statusCode());
        assertEquals(400, put(0, "x/y", "z", "If-Match", "yesterday").statusCode());
    }

    @Test
    void pathsWhoseBytesAreNotUtf8AreRefusedAndNothingIsStored() throws Exception {
        // before: %FF and %FE%FE both decoded to U+FFFD, so the second PUT overwrote the first one's key
        long before = cluster.cluster().member(0).server().currentRevision();
        for (String bad : new String[] {"utf8/%FF", "utf8/%FE%FE", "utf8/a%C3%28", "utf8/%E2%82"}) {
            HttpResponse<String> r = put(0, bad, "x");
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertTrue(json(r).get("error").getAsString().startsWith("bad path '" + bad + "': not UTF-8, byte "), r.body());
            assertEquals(400, cluster.get(0, "/config/" + bad).statusCode());
            assertEquals(400, delete(0, bad).statusCode());
        }
        assertEquals(before, cluster.cluster().member(0).server().currentRevision());
        assertEquals(0, json(cluster.get(0, "/config/utf8/")).getAsJsonArray("items").size());
        assertEquals(201, put(0, "utf8/gr%C3%BC%C3%9Fe", "x").statusCode()); // UTF-8 percent-encoded is a path as any
        assertEquals("utf8/grüße", json(cluster.get(0, "/config/utf8/")).getAsJsonArray("items").get(0).getAsJsonObject()
                .get("path").getAsString());
    }

    @Test
    void sseWatchStreamsChangesWithRevisionIdsAndResumesFromLastEventIdOnAnotherMember() throws Exception {
        try (SseClient sse = SseClient.open(cluster.http(), cluster.clientUrl(0) + "/config/live/?watch", null)) {
            assertEquals(200, sse.status);
            long r1 = json(put(1, "live/a", "1")).get("revision").getAsLong();
            SseClient.SseEvent e1 = sse.next(10);
            assertNotNull(e1);
            assertEquals(Long.toString(r1), e1.id());
            assertEquals("change", e1.name());
            assertTrue(e1.data().contains("\"path\":\"live/a\"") && e1.data().contains("\"value\":\"1\""), e1.data());
        }
        // disconnected: changes made meanwhile arrive on reconnecting elsewhere with Last-Event-ID
        long r2 = json(put(2, "live/a", "2")).get("revision").getAsLong();
        long r3 = json(put(2, "live/b", "3")).get("revision").getAsLong();
        try (SseClient sse = SseClient.open(cluster.http(), cluster.clientUrl(2) + "/config/live/?watch", Long.toString(r2 - 1))) {
            assertEquals(Long.toString(r2), sse.next(10).id());
            assertEquals(Long.toString(r3), sse.next(10).id());
        }
    }
}
