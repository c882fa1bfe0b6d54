package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/1 on the client port under clients that hold connections, send slowly, stop sending or leave: etcd 3.4
 * serves 600 held connections (slow heads, endless bodies, watches) and still answers /health and puts; before,
 * 256 of them locked every other HTTP request out.
 */
@Timeout(120)
class ClientPortHttp1Test {
    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(1);
    static RestCluster cluster;
    static final String PUT = "{\"key\":\"aGVsZA==\",\"value\":\"eA==\"}";

    @BeforeAll
    static void bind() {
        cluster = CLUSTER.cluster();
    }

    @Test
    void threeHundredHeldConnectionsLeaveHealthAndPutsAnsweredAndAreFreedWhenTheyLeave() throws Exception {
        RestServer rest = cluster.rest(0);
        List<RawHttp> held = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < 100; i++) {
                held.add(open().send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")); // a head that never ends
            }
            for (int i = 0; i < 100; i++) {
                held.add(open().send("POST /v3/kv/put HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n"));
            }
            for (int i = 0; i < 100; i++) {
                RawHttp sse = open().send("GET /config/held/?watch HTTP/1.1\r\nHost: x\r\n\r\n");
                held.add(sse);
                assertTrue(sse.readUntil(": watching").startsWith("HTTP/1.1 200"));
            }
            assertEquals(100, rest.runningStreams());

            HttpResponse<String> health = cluster.get(0, "/health");
            assertEquals(200, health.statusCode());
            assertEquals("{\"health\":\"true\"}", health.body());
            HttpResponse<String> put = cluster.post(0, "/v3/kv/put", PUT);
            assertEquals(200, put.statusCode(), put.body());
            for (RawHttp body : held.subList(100, 200)) {
                body.send("1\r\n \r\n"); // the endless bodies go on
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10),
                    "answered while the slow heads were within their 10 s");
        } finally {
            for (RawHttp c : held) {
                c.close();
            }
        }
        // each watch ends when its client leaves, not at its next heartbeat 15 s later
        awaitWithin(5, () -> rest.runningStreams() == 0 && rest.busyWorkers() == 0);
        assertEquals(200, cluster.get(0, "/health").statusCode());
    }

    @Test
    void aRequestWhoseClientClosedItsSendingSideGetsItsResponse() throws Exception {
        // etcd answers 200 (Connection: close); before, the PUT was applied and the connection closed unanswered
        try (RawHttp c = open()) {
            c.send("POST /v3/kv/put HTTP/1.1\r\nHost: x\r\nContent-Length: " + PUT.length() + "\r\n\r\n" + PUT);
            c.socket.shutdownOutput();
            String answer = c.readToEnd();
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.contains("\"revision\":"), answer);
        }
    }

    @Test
    void aBodyTheClientCutShortIs400AndNothingIsStored() throws Exception {
        try (RawHttp c = open()) {
            c.send("PUT /config/cut HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
            c.socket.shutdownOutput();
            String answer = c.readToEnd();
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("the request body ended after 5 of 10 bytes"), answer);
        }
        assertEquals(404, cluster.get(0, "/config/cut").statusCode());
    }

    @Test
    void streamsBeyondTheLimitAre429WhileShortRequestsStillAnswer() throws Exception {
        List<RawHttp> streams = new ArrayList<>();
        try {
            for (int i = 0; i < RestLimits.MAX_OPEN_STREAMS; i++) {
                RawHttp sse = open().send("GET /config/many/?watch HTTP/1.1\r\nHost: x\r\n\r\n");
                streams.add(sse);
                assertTrue(sse.readUntil(": watching").startsWith("HTTP/1.1 200"));
            }
            HttpResponse<String> sse = cluster.get(0, "/config/many/?watch");
            assertEquals(429, sse.statusCode());
            assertEquals("too many open streams on this member (128); retry later",
                    JsonParser.parseString(sse.body()).getAsJsonObject().get("error").getAsString());
            HttpResponse<String> watch = cluster.post(0, "/v3/watch", "{\"create_request\":{\"key\":\"bWFueQ==\"}}");
            assertEquals(429, watch.statusCode());
            assertEquals(8, JsonParser.parseString(watch.body()).getAsJsonObject().get("code").getAsInt());
            assertEquals(200, cluster.get(0, "/health").statusCode());
            assertEquals(200, cluster.post(0, "/v3/kv/put", PUT).statusCode());
        } finally {
            for (RawHttp c : streams) {
                c.close();
            }
        }
    }

    @Test
    void aHeadOver64KiBIs431AndTheConnectionCloses() throws Exception {
        try (RawHttp c = open()) {
            String answer = c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70 * 1024) + "\r\n\r\n").readToEnd();
            assertTrue(answer.startsWith("HTTP/1.1 431 Request Header Fields Too Large"), answer);
            assertTrue(answer.contains("\"error\":\"request header fields larger than 64 KiB\""), answer);
        }
    }

    @Test
    void aSlowHeadAndAStalledBodyAreAnswered408AfterTenSeconds() throws Exception {
        try (RawHttp head = open(); RawHttp body = open()) {
            head.send("GET /health HTTP/1.1\r\nHost: x\r\n");
            body.send("PUT /config/stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
            long start = System.nanoTime();
            CompletableFuture<String> bodyAnswer = CompletableFuture.supplyAsync(() -> {
                try {
                    return body.readToEnd();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String headAnswer = head.readToEnd();
            assertTrue(headAnswer.startsWith("HTTP/1.1 408"), headAnswer);
            assertTrue(headAnswer.contains("no complete request head within 10 s"), headAnswer);
            String stalled = bodyAnswer.get(30, TimeUnit.SECONDS);
            assertTrue(stalled.startsWith("HTTP/1.1 408"), stalled);
            assertTrue(stalled.contains("request body stalled"), stalled);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(seconds >= 9 && seconds < 20, seconds + " s");
        }
        assertEquals(404, cluster.get(0, "/config/stalled").statusCode()); // nothing of it was stored
    }

    @Test
    void rawUtf8InAPathReachesTheServerAsItsBytesAndRawInvalidBytesAre400() throws Exception {
        byte[] line = "PUT /config/raw/grüße HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx".getBytes(StandardCharsets.UTF_8);
        try (RawHttp c = open()) {
            String answer = c.send(line).readUntil("}");
            assertTrue(answer.startsWith("HTTP/1.1 201"), answer);
        }
        assertEquals("x", cluster.get(0, "/config/raw/gr%C3%BC%C3%9Fe").body());
        try (RawHttp c = open()) {
            byte[] invalid = "PUT /config/raw/\u00ff HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx".getBytes(StandardCharsets.ISO_8859_1);
            String answer = c.send(invalid).readUntil("}");
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("not UTF-8"), answer);
        }
    }

    static RawHttp open() throws Exception {
        return new RawHttp(cluster.clientUrl(0));
    }

    /** Waits until {@code condition} holds, at most {@code seconds}. */
    static void awaitWithin(int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within " + seconds + " s");
            Thread.sleep(20);
        }
    }
}
