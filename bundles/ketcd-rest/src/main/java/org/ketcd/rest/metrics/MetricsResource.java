package org.ketcd.rest.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.ClassLoadingExports;
import io.prometheus.client.hotspot.GarbageCollectorExports;
import io.prometheus.client.hotspot.MemoryPoolsExports;
import io.prometheus.client.hotspot.StandardExports;
import io.prometheus.client.hotspot.ThreadExports;
import io.prometheus.client.hotspot.VersionInfoExports;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.StringWriter;
import java.util.function.Supplier;
import org.ketcd.api.DeployedRoutes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.GrpcCallStats;

/**
 * etcd's {@code GET /metrics}: Prometheus' text format (0.0.4) with etcd 3.4's metric names for what Ketcd does
 * ({@link EtcdServerCollector}, {@link GrpcCallCollector}), the member's Camel routes ({@link CamelRouteCollector}),
 * the process' metrics under the names Go's client gives
 * them (process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds, ...) and the JVM's (jvm_*).
 * Each REST server has a registry of its own: nothing is left registered when the bundle is updated.
 */
@Path("/")
public final class MetricsResource {
    private final CollectorRegistry registry = new CollectorRegistry();

    public MetricsResource(EtcdServer server, Supplier<GrpcCallStats> grpcCalls, Supplier<DeployedRoutes> camelRoutes) {
        new EtcdServerCollector(server).register(registry);
        new GrpcCallCollector(grpcCalls).register(registry);
        new CamelRouteCollector(camelRoutes).register(registry);
        // not MemoryAllocationExports: it adds GC listeners to the JVM that would outlive an update of this bundle
        new StandardExports().register(registry);
        new MemoryPoolsExports().register(registry);
        new GarbageCollectorExports().register(registry);
        new ThreadExports().register(registry);
        new ClassLoadingExports().register(registry);
        new VersionInfoExports().register(registry);
    }

    @GET
    @Path("metrics")
    public Response metrics() throws IOException {
        StringWriter text = new StringWriter();
        TextFormat.write004(text, registry.metricFamilySamples());
        // as a plain header: as a MediaType, Jersey would reorder its parameters
        return Response.ok(text.toString()).header("Content-Type", TextFormat.CONTENT_TYPE_004).build();
    }
}
