package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Http1Upstream;
import org.ketcd.server.LocalCluster;

/**
 * grpc closes a connection whose HTTP/2 handshake is not done within its handshake timeout (120 s by default),
 * and an HTTP/1 connection never does one: SSE and gateway watches were cut at 120 s, and a keep-alive client's
 * next request met a closed connection. Here the timeout is 1 s and an HTTP/1 stream of 3 s, relayed from a plain
 * upstream server, runs to its end, and the same connection then serves the next request.
 */
@Timeout(60)
class Http1StreamHandshakeTimeoutTest {
    static final int HANDSHAKE_TIMEOUT_MILLIS = 1_000;
    static final int STREAM_LINES = 15;
    static final int LINE_EVERY_MILLIS = 200;

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static GrpcEndpoint endpoint;
    static PlainUpstream upstream;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 1, "handshake-timeout");
        upstream = new PlainUpstream(Map.of("/stream", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < STREAM_LINES; i++) {
                    out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(LINE_EVERY_MILLIS); // the stream's own pace, as an SSE heartbeat
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "/ping", exchange -> {
            byte[] pong = "pong".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, pong.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(pong);
            }
        }));
        Http1Upstream server = upstream.upstream();
        endpoint = GrpcEndpoint.start(cluster.member(0).server(), List.of(URI.create(cluster.clientUrl(0))), () -> server,
                HANDSHAKE_TIMEOUT_MILLIS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anHttp1StreamRunsPastGrpcsHandshakeTimeoutAndItsConnectionServesTheNextRequest() throws Exception {
        URI url = URI.create(cluster.clientUrl(0));
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(20_000);
            long start = System.nanoTime();
            s.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 OK", in.readLine());
            int lines = 0;
            for (String line; !"0".equals(line = in.readLine()); ) { // "0": the last chunk
                assertNotNull(line, "the connection closed before the stream ended");
                if (line.startsWith("line ")) {
                    lines++;
                }
            }
            assertEquals("", in.readLine());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(STREAM_LINES, lines, "the whole stream arrived");
            assertTrue(millis > 2 * HANDSHAKE_TIMEOUT_MILLIS, millis + " ms: the stream outlived the handshake timeout");

            s.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 OK", in.readLine(), "the connection did not serve its next request");
            String line;
            while (!(line = in.readLine()).isEmpty()) {
                // headers
            }
            char[] body = new char[4];
            assertEquals(4, in.read(body));
            assertEquals("pong", new String(body));
        }
    }
}
