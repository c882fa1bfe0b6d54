package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd's --max-concurrent-streams bounds the JSON gateway's calls together, as it bounds etcd's gateway's one
 * gRPC connection: with that many watches open, the next request waits until one ends (etcd's e2e
 * TestV3Curl_MaxStreams_* expect curl to time out there, and a range to succeed one watch below the limit).
 */
@Timeout(120)
class GatewayMaxConcurrentStreamsTest {
    private static final int LIMIT = 3;

    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(1, "--max-concurrent-streams", String.valueOf(LIMIT));
    static RestCluster cluster;

    @BeforeAll
    static void bind() {
        cluster = CLUSTER.cluster();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }

    @Test
    void atTheLimitTheNextRequestWaitsUntilAWatchEnds() throws Exception {
        List<HttpResponse<Stream<String>>> watches = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT - 1; i++) {
                watches.add(openWatch());
            }
            assertEquals(200, range(Duration.ofSeconds(20)).statusCode(), "one stream below the limit a range is answered");
            watches.add(openWatch());
            assertThrows(HttpTimeoutException.class, () -> range(Duration.ofSeconds(2)),
                    "at the limit a range waits for a free stream");
            watches.remove(0).body().close();
            assertEquals(200, range(Duration.ofSeconds(20)).statusCode(), "a watch ended: its slot serves the next request");
        } finally {
            watches.forEach(w -> w.body().close());
        }
    }

    /** A gateway watch, once its "created" line arrived. */
    private static HttpResponse<Stream<String>> openWatch() throws Exception {
        HttpRequest watch = HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + "/v3/watch"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"create_request\":{\"key\":\"" + b64("limit") + "\"}}"))
                .build();
        HttpResponse<Stream<String>> response = cluster.http().sendAsync(watch, HttpResponse.BodyHandlers.ofLines())
                .get(20, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        Iterator<String> lines = response.body().iterator();
        String created = lines.next();
        assertTrue(created.endsWith("\"created\":true}}"), created);
        return response;
    }

    /** A range on a connection of its own, as curl makes it, given up after {@code timeout}. */
    private static HttpResponse<String> range(Duration timeout) throws Exception {
        HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest range = HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + "/v3/kv/range")).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + b64("limit") + "\"}")).build();
        return own.send(range, HttpResponse.BodyHandlers.ofString());
    }
}
