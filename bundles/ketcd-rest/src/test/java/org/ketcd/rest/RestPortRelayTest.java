package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The loopback REST port serves what the client port forwards and refuses a local user who connects to it directly. */
@Timeout(120)
class RestPortRelayTest {
    @TempDir
    Path dir;

    @Test
    void onlyRequestsForwardedByTheClientPortAreServed() throws Exception {
        try (RestCluster cluster = RestCluster.start(dir, 1)) {
            HttpResponse<String> viaClientPort = cluster.get(0, "/health");
            assertEquals(200, viaClientPort.statusCode(), viaClientPort.body());

            String direct = "http://127.0.0.1:" + cluster.rest(0).address().getPort();
            HttpResponse<String> bypass = cluster.send(HttpRequest.newBuilder(URI.create(direct + "/health")).GET());
            assertEquals(403, bypass.statusCode());
            assertEquals(RelayCheck.REFUSAL, bypass.body());
            HttpResponse<String> guessed = cluster.send(HttpRequest.newBuilder(URI.create(direct + "/v3/kv/range"))
                    .header("X-Ketcd-Relay", "guess").POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"YQ==\"}")));
            assertEquals(403, guessed.statusCode());

            HttpResponse<String> ownHeader = cluster.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + "/health"))
                    .header("X-Ketcd-Relay", "anything").GET());
            assertEquals(200, ownHeader.statusCode(), "a client's own relay header is replaced by the client port");
        }
    }
}
