package org.ketcd.rest.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.ketcd.api.DeployedRoutes;

/**
 * The member's Camel routes, under the names camel-micrometer gives route metrics in Prometheus
 * ({@code camel_exchanges_*{camelContext,routeId}}), and each route's checkpoint; none while Camel does not run here.
 */
final class CamelRouteCollector extends Collector {
    /** The name of the member's CamelContext. */
    static final String CONTEXT = "ketcd";
    private static final List<String> LABELS = List.of("camelContext", "routeId");
    private final Supplier<DeployedRoutes> routes;

    CamelRouteCollector(Supplier<DeployedRoutes> routes) {
        this.routes = routes;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        DeployedRoutes deployed = routes.get();
        if (deployed == null) {
            return List.of();
        }
        List<DeployedRoutes.DeployedRoute> all;
        try {
            all = deployed.routes();
        } catch (RuntimeException stopping) {
            return List.of(); // Camel is stopping: a scrape without its routes, not an error page
        }
        List<Sample> succeeded = new ArrayList<>();
        List<Sample> failed = new ArrayList<>();
        List<Sample> inflight = new ArrayList<>();
        List<Sample> checkpoints = new ArrayList<>();
        for (DeployedRoutes.DeployedRoute r : all) {
            List<String> values = List.of(CONTEXT, r.id());
            succeeded.add(new Sample("camel_exchanges_succeeded_total", LABELS, values, r.completed()));
            failed.add(new Sample("camel_exchanges_failed_total", LABELS, values, r.failed()));
            inflight.add(new Sample("camel_exchanges_inflight", LABELS, values, r.inflight()));
            if (r.checkpoint() >= 0) {
                checkpoints.add(new Sample("ketcd_camel_route_checkpoint_revision", LABELS, values, r.checkpoint()));
            }
        }
        return new Families()
                .add("camel_exchanges_succeeded_total", Type.COUNTER, "Exchanges the route completed on this member.", succeeded)
                .add("camel_exchanges_failed_total", Type.COUNTER, "Exchanges that failed in the route on this member.", failed)
                .add("camel_exchanges_inflight", Type.GAUGE, "Exchanges in flight in the route on this member.", inflight)
                .add("ketcd_camel_route_checkpoint_revision", Type.GAUGE,
                        "The revision the route last checkpointed in the cluster (its ketcd: input).", checkpoints)
                .all();
    }
}
