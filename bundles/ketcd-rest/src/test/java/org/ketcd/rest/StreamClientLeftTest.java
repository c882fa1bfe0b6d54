package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ketcd.api.Http1Upstream;

/**
 * A stream whose client went away (an SSE watch, a gateway watch): its next write meets a dead connection, the
 * stream ends and gives back its slot, and the member logs it at most as one DEBUG line, no WARN or ERROR (Jersey
 * logged the broken pipe as two SEVERE stack traces and a WARNING).
 *
 * <p>The client connects to the REST port itself, as the client port does, and resets the connection before the
 * stream's next event: so that event is written to a connection known to be dead. Through the client port the same
 * write fails only when the client leaves while an event is being written.
 */
@Timeout(120)
class StreamClientLeftTest {
    static final String DEBUG_LOGGER = "org.ketcd.rest.ClientConnection";

    static {
        // before the REST server loads the class (slf4j-simple reads a logger's level when it makes it)
        System.setProperty("org.slf4j.simpleLogger.log." + DEBUG_LOGGER, "debug");
    }

    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(1);

    @ParameterizedTest
    @ValueSource(strings = {"sse", "gateway"})
    void aStreamWhoseClientLeftEndsAtItsNextWriteWithoutWarnings(String stream) throws Exception {
        RestServer rest = CLUSTER.cluster().rest(0);
        try (LoggedWarnings logged = new LoggedWarnings(); Socket client = new Socket()) {
            client.connect(new InetSocketAddress(rest.address().getAddress(), rest.address().getPort()), 5_000);
            client.setSoTimeout(30_000);
            client.getOutputStream().write(request(stream, rest.relaySecret()).getBytes(StandardCharsets.ISO_8859_1));
            awaitText(client.getInputStream(), stream.equals("sse") ? ": watching" : "\"created\":true");
            client.setSoLinger(true, 0);
            client.close(); // a reset: the stream's next write fails
            put(stream);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (rest.runningStreams() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, rest.runningStreams(), "the stream still runs");
            Thread.sleep(500); // whatever the ended exchange logs
            assertEquals(List.of(), logged.warnings());
            assertTrue(logged.debugLines(DEBUG_LOGGER).size() <= 1, () -> String.join("\n", logged.debugLines(DEBUG_LOGGER)));
        }
    }

    private static String request(String stream, String secret) {
        String head = "Host: x\r\n" + Http1Upstream.RELAY_HEADER + ": " + secret + "\r\n";
        if (stream.equals("sse")) {
            return "GET /config/left/?watch HTTP/1.1\r\n" + head + "Accept: text/event-stream\r\n\r\n";
        }
        String body = "{\"create_request\":{\"key\":\"" + b64("left/") + "\",\"range_end\":\"" + b64("left0") + "\"}}";
        return "POST /v3/watch HTTP/1.1\r\n" + head + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static void put(String stream) throws Exception {
        RestCluster cluster = CLUSTER.cluster();
        int status = stream.equals("sse")
                ? cluster.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.clientUrl(0) + "/config/left/k"))
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("v"))).statusCode()
                : cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("left/k") + "\",\"value\":\"" + b64("v") + "\"}").statusCode();
        assertTrue(status == 200 || status == 201, "put answered " + status);
    }

    private static void awaitText(InputStream in, String text) throws Exception {
        StringBuilder got = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (got.indexOf(text) < 0) {
            int n = in.read(buffer);
            assertTrue(n > 0, () -> "the stream ended before \"" + text + "\": " + got);
            got.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
