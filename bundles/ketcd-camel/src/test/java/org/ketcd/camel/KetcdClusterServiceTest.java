package org.ketcd.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.model.RouteDefinition;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.camel.deploy.CamelRuntime;
import org.ketcd.server.LocalCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Camel's cluster service on Ketcd's election, on three real members in this JVM, each with its own Camel and
 * the same clustered route (through {@code master:} or through a {@link ClusteredRoutePolicy}): exactly one member delivers; when its member stops, another takes over within
 * the lease TTL and resumes from the route's checkpoint; a member left without a majority gives up leadership.
 */
class KetcdClusterServiceTest {
    static final long TTL_SECONDS = 3;

    record Delivery(String member, long revision) {
    }

    @TempDir
    Path dir;

    /** The two ways Camel clusters a route: the {@code master:} component, or a route policy on a plain route. */
    enum Clustering {
        MASTER_COMPONENT, CLUSTERED_ROUTE_POLICY
    }

    @ParameterizedTest
    @EnumSource(Clustering.class)
    void oneMemberDeliversAnotherTakesOverAndAMemberWithoutMajorityStepsDown(Clustering clustering) throws Exception {
        List<CamelRuntime> camels = new ArrayList<>();
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 3, "camel-cluster")) {
            cluster.awaitLeader();
            for (int i = 0; i < 3; i++) {
                String name = "m" + i;
                CamelRuntime camel = CamelRuntime.start(cluster.member(i).server(), name, TTL_SECONDS);
                camels.add(camel);
                camel.context().addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() throws Exception {
                        RouteDefinition route = clustering == Clustering.MASTER_COMPONENT
                                ? from("master:payments:ketcd:/cl/?prefix=true")
                                : from("ketcd:/cl/?prefix=true").routePolicy(ClusteredRoutePolicy.forNamespace("payments"));
                        route.routeId("cl")
                                .process(e -> deliveries.add(new Delivery(name, e.getIn().getHeader(KetcdConstants.REVISION, Long.class))));
                    }
                });
            }
            List<Long> written = new ArrayList<>();
            awaitLeaderOf(camels);
            for (int k = 0; k < 20; k++) {
                written.add(put(cluster.member(0).server(), "/cl/a" + k));
            }
            awaitDelivered(deliveries, written);
            Set<String> before = members(deliveries);
            assertEquals(1, before.size(), "members that delivered: " + before);
            int active = Integer.parseInt(before.iterator().next().substring(1));

            int seen = deliveries.size();
            cluster.stopMember(active); // its lease is no longer renewed
            // If it led the Raft group too, writes fail with "no leader" until the other two elect one (a client
            // such as jetcd retries them); this test is about Camel's takeover, so it writes once there is a leader.
            long electing = System.nanoTime();
            cluster.awaitLeader();
            System.out.printf("cluster service: a Raft leader %d ms after m%d stopped%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - electing), active);
            int writer = (active + 1) % 3;
            for (int k = 0; k < 20; k++) {
                written.add(put(cluster.member(writer).server(), "/cl/b" + k));
            }
            long stopped = System.nanoTime();
            awaitDelivered(deliveries, written);
            Set<String> after = members(deliveries.subList(seen, deliveries.size()));
            after.remove("m" + active);
            assertEquals(1, after.size(), "members that delivered after m" + active + " stopped: " + after);
            System.out.printf("cluster service: m%d stopped, %s took over within %d ms%n", active, after,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped));

            // the new leader alone, without a majority: it cannot renew its lease and gives up leadership
            int leader = Integer.parseInt(after.iterator().next().substring(1));
            int other = 3 - active - leader;
            cluster.stopMember(other);
            CamelClusterService service = camels.get(leader).context().hasService(CamelClusterService.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TTL_SECONDS * 3);
            while (service.getView("payments").getLocalMember().isLeader() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(service.getView("payments").getLocalMember().isLeader(),
                    "m" + leader + " still leads without a majority after " + 3 * TTL_SECONDS + " s");
        } finally {
            for (CamelRuntime c : camels) {
                c.close();
            }
        }
    }

    private static void awaitLeaderOf(List<CamelRuntime> camels) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (CamelRuntime c : camels) {
                if (c.context().hasService(CamelClusterService.class).getView("payments").getLocalMember().isLeader()) {
                    Thread.sleep(500); // master: starts the consumer shortly after leadership
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no member leads the namespace within 20 s");
    }

    private static long put(EtcdServer server, String key) {
        return server.put(PutRequest.of(Bytes.utf8(key), Bytes.utf8("v"))).join().revision();
    }

    private static void awaitDelivered(List<Delivery> deliveries, List<Long> written) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Set<Long> seen = deliveries.stream().map(Delivery::revision).collect(Collectors.toSet());
            if (seen.containsAll(written)) {
                return;
            }
            Thread.sleep(50);
        }
        Set<Long> seen = deliveries.stream().map(Delivery::revision).collect(Collectors.toSet());
        List<Long> missing = written.stream().filter(r -> !seen.contains(r)).toList();
        assertTrue(missing.isEmpty(), "never delivered: " + missing + "; deliveries " + deliveries);
    }

    private static Set<String> members(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::member).collect(Collectors.toCollection(TreeSet::new));
    }
}
