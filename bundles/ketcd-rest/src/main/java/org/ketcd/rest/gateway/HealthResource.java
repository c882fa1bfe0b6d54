package org.ketcd.rest.gateway;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.RangeRequest;

/**
 * etcd 3.4's {@code GET /health} and {@code GET /version}. Healthy = no alarm raised and a linearizable
 * read answered within {@value #HEALTH_READ_TIMEOUT_SECONDS} s (etcd's own check); 503
 * {@code {"health":"false"}} otherwise. And etcd 3.5's {@code /readyz} and {@code /livez} probes.
 */
@Path("/")
public final class HealthResource {
    static final int HEALTH_READ_TIMEOUT_SECONDS = 1;
    private static final byte[] HEALTH_KEY = "health".getBytes(StandardCharsets.US_ASCII);
    private final EtcdServer server;

    public HealthResource(EtcdServer server) {
        this.server = server;
    }

    @GET
    @Path("health")
    public Response health() {
        boolean healthy = server.alarms().isEmpty();
        if (healthy) {
            try {
                server.range(RangeRequest.of(HEALTH_KEY, new byte[0])).get(HEALTH_READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                healthy = false;
            } catch (Exception e) {
                healthy = false;
            }
        }
        // etcd writes no content type here, so Go sniffs text/plain
        return Response.fromResponse(GatewayResource.json(healthy ? 200 : 503, "{\"health\":\"" + healthy + "\"}"))
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8")).build();
    }

    /**
     * Readiness as etcd 3.5's {@code /readyz} (Kubernetes' probe style): no CORRUPT alarm, a serializable read
     * answered, a linearizable read answered (there is a leader and this member caught up with it), each within
     * {@value #HEALTH_READ_TIMEOUT_SECONDS} s. 200 "ok", or 503 naming the failed checks; {@code ?verbose} lists every check.
     */
    @GET
    @Path("readyz")
    public Response readyz(@jakarta.ws.rs.QueryParam("verbose") String verbose) {
        java.util.Map<String, Boolean> checks = new java.util.LinkedHashMap<>();
        checks.put("data_corruption", server.alarms().stream().noneMatch(a -> a.type() == org.ketcd.api.AlarmType.CORRUPT));
        checks.put("serializable_read", answers(serializableHealthRead()));
        checks.put("linearizable_read", answers(RangeRequest.of(HEALTH_KEY, new byte[0])));
        return probeAnswer("readyz", checks, verbose != null);
    }

    /** Liveness as etcd 3.5's {@code /livez}: the member answers a serializable read (no leader needed). */
    @GET
    @Path("livez")
    public Response livez(@jakarta.ws.rs.QueryParam("verbose") String verbose) {
        return probeAnswer("livez", java.util.Map.of("serializable_read", answers(serializableHealthRead())), verbose != null);
    }

    private static RangeRequest serializableHealthRead() {
        return new RangeRequest(HEALTH_KEY, new byte[0], 0, 0, RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY,
                true, false, false, 0, 0, 0, 0);
    }

    private boolean answers(RangeRequest read) {
        try {
            server.range(read).get(HEALTH_READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /** "[+]check ok" / "[-]check failed" lines (all with verbose, the failed ones otherwise), then the verdict. */
    private static Response probeAnswer(String probe, java.util.Map<String, Boolean> checks, boolean verbose) {
        boolean passed = !checks.containsValue(false);
        StringBuilder body = new StringBuilder();
        checks.forEach((name, ok) -> {
            if (verbose || !ok) {
                body.append(ok ? "[+]" : "[-]").append(name).append(ok ? " ok\n" : " failed: reason withheld\n");
            }
        });
        body.append(passed ? (verbose ? probe + " check passed\n" : "ok") : probe + " check failed\n");
        return Response.status(passed ? 200 : 503).entity(body.toString())
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8")).build();
    }

    @GET
    @Path("version")
    public Response version() throws Exception {
        String serverVersion = server.status().get(HEALTH_READ_TIMEOUT_SECONDS, TimeUnit.SECONDS).version();
        String[] parts = serverVersion.split("\\.");
        String cluster = parts.length >= 2 ? parts[0] + "." + parts[1] + ".0" : serverVersion;
        return GatewayResource.json(200, "{\"etcdserver\":\"" + serverVersion + "\",\"etcdcluster\":\"" + cluster + "\"}");
    }
}
