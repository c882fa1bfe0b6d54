package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd's {@code --listen-metrics-urls} (kubeadm's etcd probes {@code http://127.0.0.1:2381/health}): a listener that
 * serves the metrics and health endpoints and nothing else, with Go's 404 for every other path (as etcd 3.4 answers
 * there) and no gRPC, while the client URL keeps serving the whole API.
 */
@Timeout(120)
class MetricsUrlTest {
    private static final int METRICS_PORT = freePort();
    private static final String METRICS_URL = "http://127.0.0.1:" + METRICS_PORT;

    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(1, "--listen-metrics-urls=" + METRICS_URL);

    @Test
    void theMetricsUrlServesMetricsAndHealthOnly() throws Exception {
        RestCluster cluster = CLUSTER.cluster();
        cluster.cluster().awaitLeader();
        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode(), metrics.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElse(""));
        assertTrue(metrics.body().lines().anyMatch("etcd_server_has_leader 1.0"::equals), metrics.body());
        assertEquals(200, get("/metrics?name[]=etcd_server_has_leader").statusCode(), "a query after the path");
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("{\"health\":\"true\"}", health.body());
        assertEquals("ok", get("/readyz").body());
        assertEquals("ok", get("/livez").body());

        for (String path : List.of("/version", "/v3/kv/range", "/config/app", "/services", "/metricsx", "/", "/health/")) {
            HttpResponse<String> other = get(path);
            assertEquals(404, other.statusCode(), path);
            assertEquals("404 page not found\n", other.body(), path);
            assertEquals("text/plain; charset=utf-8", other.headers().firstValue("Content-Type").orElse(""), path);
        }
        HttpResponse<String> put = cluster.send(HttpRequest.newBuilder(URI.create(METRICS_URL + "/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"aw==\",\"value\":\"dg==\"}")));
        assertEquals(404, put.statusCode(), put.body());
        String range = cluster.post(0, "/v3/kv/range", "{\"key\":\"aw==\"}").body();
        assertFalse(range.contains("\"kvs\""), "the refused put wrote: " + range);

        ManagedChannel grpc = NettyChannelBuilder.forTarget("127.0.0.1:" + METRICS_PORT).usePlaintext().build();
        try {
            var kv = io.etcd.jetcd.api.KVGrpc.newBlockingStub(grpc).withDeadlineAfter(5, TimeUnit.SECONDS);
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> kv.range(io.etcd.jetcd.api.RangeRequest.newBuilder()
                            .setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).build()));
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused::toString);
        } finally {
            grpc.shutdownNow();
        }
        assertEquals(200, cluster.get(0, "/version").statusCode(), "the client URL serves the whole API");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLUSTER.cluster().send(HttpRequest.newBuilder(URI.create(METRICS_URL + path)).GET());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
