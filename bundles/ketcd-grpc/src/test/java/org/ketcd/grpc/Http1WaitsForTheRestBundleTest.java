package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Http1Upstream;
import org.ketcd.server.LocalCluster;

/**
 * gRPC serves as soon as the member does; the REST bundle starts a moment later, and is away for a moment while it
 * is updated. An HTTP/1 request that arrives then waits for it and is served (a script that waited for
 * {@code etcdctl endpoint health} can call the gateway at once); without the bundle the 404 comes at once.
 */
@Timeout(60)
class Http1WaitsForTheRestBundleTest {
    static final String BODY = "{\"key\":\"YQ==\"}";

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static GrpcEndpoint endpoint;
    static PlainUpstream rest;
    static final AtomicReference<Http1Upstream> serving = new AtomicReference<>();
    static final AtomicBoolean installed = new AtomicBoolean();
    static final AtomicInteger expectedAsked = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 1, "http1-waits");
        rest = new PlainUpstream(Map.of("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }));
        endpoint = GrpcEndpoint.start(cluster.member(0).server(), List.of(URI.create(cluster.clientUrl(0))),
                Http1Upstreams.of(serving::get, () -> {
                    expectedAsked.incrementAndGet();
                    return installed.get();
                }), GrpcEndpoint.HANDSHAKE_TIMEOUT_MILLIS,
                new org.ketcd.api.ClientTls("", "", "", false, List.of(), "", ""), org.ketcd.api.ClientGrpcSettings.ETCD_DEFAULTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        if (rest != null) {
            rest.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void noRestBundle() {
        serving.set(null);
        installed.set(false);
    }

    @Test
    void aRequestThatArrivesWhileTheRestBundleStartsIsServedOnceItServes() throws Exception {
        installed.set(true);
        CompletableFuture<String> answer = postEchoAndAwaitItsWait(); // head and body wait at the client port
        serving.set(rest.upstream());
        String response = answer.get(20, TimeUnit.SECONDS);
        assertTrue(response.startsWith("HTTP/1.1 200 OK"), response);
        assertTrue(response.endsWith(BODY), "the body held while waiting reached the server: " + response);
    }

    @Test
    void aRequestWhileTheRestBundleServesIsServed() {
        installed.set(true);
        serving.set(rest.upstream());
        String response = postEcho();
        assertTrue(response.startsWith("HTTP/1.1 200 OK"), response);
        assertTrue(response.endsWith(BODY), response);
    }

    @Test
    void withoutTheRestBundleARequestIsAnswered404AtOnce() {
        String response = postEcho();
        assertTrue(response.startsWith("HTTP/1.1 404 Not Found"), response);
        assertTrue(response.endsWith(ClientPortNegotiator.NO_HTTP_API), response);
    }

    @Test
    void aWaitingRequestIsAnswered404WhenTheRestBundleIsRemoved() throws Exception {
        installed.set(true);
        CompletableFuture<String> answer = postEchoAndAwaitItsWait();
        installed.set(false);
        String response = answer.get(20, TimeUnit.SECONDS);
        assertTrue(response.startsWith("HTTP/1.1 404 Not Found"), response);
    }

    /** Sends the request and waits until the client port asked whether the REST bundle is coming: the request is held. */
    private static CompletableFuture<String> postEchoAndAwaitItsWait() throws InterruptedException {
        int before = expectedAsked.get();
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(Http1WaitsForTheRestBundleTest::postEcho);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (expectedAsked.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(expectedAsked.get() > before, "the client port never asked for the REST bundle");
        return answer;
    }

    /** Posts {@link #BODY} to /echo and returns the response: its head and its Content-Length's worth of body. */
    private static String postEcho() {
        URI url = URI.create(cluster.clientUrl(0));
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY)
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return head.toString();
                }
                head.append((char) b);
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
            return head + new String(body, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
