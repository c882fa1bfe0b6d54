package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.camel.deploy.CamelRuntime;

/** /metrics carries the member's Camel routes, under camel-micrometer's names, while its Camel runs, and none without. */
@Timeout(120)
class CamelRouteMetricsTest {
    @TempDir
    Path dir;

    @Test
    void aRoutesExchangesAndCheckpointAppearUnderCamelsMetricNames() throws Exception {
        try (RestCluster cluster = RestCluster.start(dir.resolve("cluster"), 1)) {
            EtcdServer server = cluster.cluster().member(0).server();
            assertFalse(scrape(cluster).contains("camel_exchanges"), "no Camel, no route metrics");
            Path file = dir.resolve("metered.camel.yaml");
            Files.writeString(file, """
                    - route:
                        id: metered
                        from:
                          uri: "ketcd:/metered/?prefix=true&checkpointIntervalMs=0"
                          steps:
                            - to: "log:metered?level=DEBUG"
                    """);
            try (CamelRuntime camel = CamelRuntime.start(server, "m1", 3)) {
                cluster.camelRoutes(camel);
                assertTrue(camel.deploy(file));
                long revision = server.put(PutRequest.of(Bytes.utf8("/metered/a"), Bytes.utf8("1")))
                        .get(10, TimeUnit.SECONDS).revision();
                String labels = "{camelContext=\"ketcd\",routeId=\"metered\",}";
                String checkpoint = "ketcd_camel_route_checkpoint_revision" + labels + " " + (double) revision;
                String text = scrape(cluster);
                for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                     !text.contains(checkpoint) && System.nanoTime() < deadline; text = scrape(cluster)) {
                    Thread.sleep(50);
                }
                assertTrue(text.contains(checkpoint), text);
                assertTrue(text.contains("# TYPE camel_exchanges_succeeded_total counter"), text);
                assertTrue(text.contains("camel_exchanges_succeeded_total" + labels + " 1.0"), text);
                assertTrue(text.contains("camel_exchanges_failed_total" + labels + " 0.0"), text);
                assertTrue(text.contains("camel_exchanges_inflight" + labels + " 0.0"), text);
            } finally {
                cluster.camelRoutes(null);
            }
        }
    }

    private static String scrape(RestCluster cluster) throws Exception {
        var r = cluster.get(0, "/metrics");
        assertEquals(200, r.statusCode());
        return r.body();
    }
}
