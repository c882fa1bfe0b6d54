package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * and an HTTP/1 connection never does one: SSE and gateway watches were cut at 120 s. Here the timeout is 1 s
 * and an HTTP/1 stream of 3 s, relayed from a plain upstream server, runs to its end; then the connection closes.
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
    static HttpServer upstream;
    static ExecutorService upstreamThreads = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 1, "handshake-timeout");
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/stream", exchange -> {
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
        });
        upstream.setExecutor(upstreamThreads);
        upstream.start();
        Http1Upstream server = new Http1Upstream() {
            @Override
            public String relaySecret() {
                return "test";
            }

            @Override
            public InetSocketAddress address() {
                return upstream.getAddress();
            }

            @Override
            public int maxRequestBodyBytes() {
                return 1024;
            }

            @Override
            public void clientLeft(InetSocketAddress relayAddress) {
            }
        };
        endpoint = GrpcEndpoint.start(cluster.member(0).server(), List.of(URI.create(cluster.clientUrl(0))), () -> server,
                HANDSHAKE_TIMEOUT_MILLIS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        upstreamThreads.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anHttp1StreamRunsPastGrpcsHandshakeTimeoutThenItsConnectionCloses() throws Exception {
        URI url = URI.create(cluster.clientUrl(0));
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            long start = System.nanoTime();
            s.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 OK", in.readLine());
            int lines = 0;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("line ")) {
                    lines++;
                }
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(STREAM_LINES, lines, "the whole stream arrived");
            assertTrue(millis > 2 * HANDSHAKE_TIMEOUT_MILLIS, millis + " ms: the stream outlived the handshake timeout");
        }
    }
}
