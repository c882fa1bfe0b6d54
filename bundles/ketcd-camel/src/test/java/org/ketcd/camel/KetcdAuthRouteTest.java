package org.ketcd.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdAuth;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Permission;
import org.ketcd.api.PutRequest;
import org.ketcd.camel.deploy.CamelRuntime;
import org.ketcd.server.LocalCluster;

/**
 * ketcd: endpoints with etcd's auth enabled: a route given a user and password watches, checkpoints and
 * writes with that user's permissions; a wrong password stops the route from starting.
 */
class KetcdAuthRouteTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static EtcdServer root;
    static CamelRuntime camel;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir.resolve("cluster"), 1, "camel-auth", 1, "--bcrypt-cost", "4");
        cluster.awaitLeader();
        EtcdServer member = cluster.member(0).server();
        EtcdAuth auth = member.auth();
        auth.userAdd("root", "rootpw").join();
        auth.userGrantRole("root", "root").join();
        auth.roleAdd("router").join();
        for (String prefix : new String[] {"/orders/", "__ketcd/camel/checkpoints/", "__ketcd/camel/cluster/"}) {
            auth.roleGrantPermission("router", new Permission(Permission.Type.READWRITE, Bytes.utf8(prefix),
                    Bytes.prefixEnd(Bytes.utf8(prefix)))).join();
        }
        auth.userAdd("router", "routerpw").join();
        auth.userGrantRole("router", "router").join();
        auth.enable().join();
        root = member.withToken(member.auth().authenticate("root", "rootpw").join());
        camel = CamelRuntime.start(member, "m0", 3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (camel != null) {
            camel.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRouteWithItsUserSeesTheChangesItMayReadAndCheckpointsThem() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        camel.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ketcd:/orders/?prefix=true&charset=UTF-8&user=router&password=routerpw").routeId("orders")
                        .process(e -> seen.add(e.getIn().getBody(String.class)));
            }
        });
        try {
            root.put(PutRequest.of(Bytes.utf8("/orders/1"), Bytes.utf8("first"))).join();
            assertEquals("first", seen.poll(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (root.range(org.ketcd.api.RangeRequest.of(Bytes.utf8("__ketcd/camel/checkpoints/orders"), Bytes.EMPTY))
                    .join().kvs().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the route's checkpoint was not written as its user");
                Thread.sleep(100);
            }
        } finally {
            camel.context().getRouteController().stopRoute("orders");
            camel.context().removeRoute("orders");
        }
    }

    @Test
    void aMasterRouteElectsItsLeaderAsTheClusterUser() throws Exception {
        EtcdServer member = cluster.member(0).server();
        try (CamelRuntime clustered = CamelRuntime.start(member, member.withPassword("router", "routerpw"), "m0-cluster", 3)) {
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            clustered.context().addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("master:orders-ns:ketcd:/orders/m/?prefix=true&charset=UTF-8&user=router&password=routerpw")
                            .routeId("orders-master").process(e -> seen.add(e.getIn().getBody(String.class)));
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String got = null;
            while (got == null && System.nanoTime() < deadline) {
                root.put(PutRequest.of(Bytes.utf8("/orders/m/1"), Bytes.utf8("for the leader"))).join();
                got = seen.poll(1, TimeUnit.SECONDS);
            }
            assertEquals("for the leader", got, "the master route never led: its election was refused");
        }
    }

    @Test
    void aProducerWritesWithinItsUsersPermissionsOnly() {
        var template = camel.context().createProducerTemplate();
        template.sendBody("ketcd:/orders/2?user=router&password=routerpw", "second");
        assertEquals("second", new String(root.range(org.ketcd.api.RangeRequest.of(Bytes.utf8("/orders/2"), Bytes.EMPTY))
                .join().kvs().get(0).value()));
        CamelExecutionException refused = assertThrows(CamelExecutionException.class,
                () -> template.sendBody("ketcd:/etc/x?user=router&password=routerpw", "not allowed"));
        assertTrue(String.valueOf(refused.getCause()).contains("etcdserver: permission denied"), String.valueOf(refused.getCause()));
    }

    @Test
    void aWrongPasswordOrNoUserIsRefused() {
        var template = camel.context().createProducerTemplate();
        Exception wrong = assertThrows(Exception.class, () -> template.sendBody("ketcd:/orders/3?user=router&password=nope", "x"));
        assertNotNull(wrong);
        assertTrue(String.valueOf(rootCause(wrong).getMessage()).contains("authentication failed"), String.valueOf(rootCause(wrong)));
        Exception anonymous = assertThrows(Exception.class, () -> template.sendBody("ketcd:/orders/4", "x"));
        assertTrue(String.valueOf(rootCause(anonymous).getMessage()).contains("user name is empty"), String.valueOf(rootCause(anonymous)));
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
