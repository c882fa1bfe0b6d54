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
 * {@code {"health":"false"}} otherwise.
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

    @GET
    @Path("version")
    public Response version() throws Exception {
        String serverVersion = server.status().get(HEALTH_READ_TIMEOUT_SECONDS, TimeUnit.SECONDS).version();
        String[] parts = serverVersion.split("\\.");
        String cluster = parts.length >= 2 ? parts[0] + "." + parts[1] + ".0" : serverVersion;
        return GatewayResource.json(200, "{\"etcdserver\":\"" + serverVersion + "\",\"etcdcluster\":\"" + cluster + "\"}");
    }
}
