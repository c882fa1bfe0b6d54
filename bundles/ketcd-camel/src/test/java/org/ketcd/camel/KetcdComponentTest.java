package org.ketcd.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DeployedRoutes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.camel.deploy.CamelRuntime;
import org.ketcd.server.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ketcd: component against a real one-member Ketcd (Ratis, Derby) in this JVM. */
class KetcdComponentTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static EtcdServer server;
    static CamelRuntime camel;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir.resolve("cluster"), 1, "camel-test");
        cluster.awaitLeader();
        server = cluster.member(0).server();
        camel = CamelRuntime.start(server, "m0", 3);
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

    record Seen(String key, String type, long revision, boolean last, String value, Map<String, Object> headers) {
    }

    static Seen seen(Message m) {
        return new Seen(m.getHeader(KetcdConstants.KEY, String.class), m.getHeader(KetcdConstants.EVENT_TYPE, String.class),
                m.getHeader(KetcdConstants.REVISION, Long.class), m.getHeader(KetcdConstants.LAST_IN_TRANSACTION, Boolean.class),
                m.getBody(String.class), Map.copyOf(m.getHeaders()));
    }

    /** Adds a route from {@code uri} that records what it gets; failing while {@code failures} > 0. */
    static String route(String id, String uri, BlockingQueue<Seen> into, AtomicInteger failures) throws Exception {
        camel.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId(id).process(e -> {
                    if (failures != null && failures.getAndDecrement() > 0) {
                        throw new IllegalStateException("broker down (test)");
                    }
                    into.add(seen(e.getIn()));
                });
            }
        });
        return id;
    }

    static void removeRoute(String id) throws Exception {
        camel.context().getRouteController().stopRoute(id);
        camel.context().removeRoute(id);
    }

    static long put(String key, String value) {
        return server.put(PutRequest.of(Bytes.utf8(key), Bytes.utf8(value))).join().revision();
    }

    static Seen take(BlockingQueue<Seen> q) throws InterruptedException {
        Seen s = q.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no event within 10 s");
        }
        return s;
    }

    @Test
    void everyChangeUnderThePrefixArrivesInRevisionOrderWithItsHeaders() throws Exception {
        BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        route("order", "ketcd:/order/?prefix=true&charset=UTF-8", q, null);
        try {
            long r1 = put("/order/a", "1");
            put("/other/x", "not watched");
            long r2 = put("/order/a", "2");
            long r3 = server.deleteRange(new org.ketcd.api.DeleteRangeRequest(Bytes.utf8("/order/a"), Bytes.EMPTY, false)).join().revision();
            Seen a = take(q), b = take(q), c = take(q);
            assertEquals(new Seen("/order/a", "PUT", r1, true, "1", a.headers()), a);
            assertEquals(r1, a.headers().get(KetcdConstants.CREATE_REVISION));
            assertEquals(1L, a.headers().get(KetcdConstants.VERSION));
            assertEquals(false, a.headers().get(KetcdConstants.RESYNC));
            assertEquals("2", b.value());
            assertEquals(r2, b.revision());
            assertEquals(2L, b.headers().get(KetcdConstants.VERSION));
            assertEquals(r1, b.headers().get(KetcdConstants.CREATE_REVISION));
            assertEquals("DELETE", c.type());
            assertEquals(r3, c.revision());
            assertTrue(q.poll(300, TimeUnit.MILLISECONDS) == null, "only the watched prefix");
        } finally {
            removeRoute("order");
        }
    }

    @Test
    void eventsOfOneTransactionShareTheRevisionAndTheLastIsMarked() throws Exception {
        BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        route("txn", "ketcd:/txn/?prefix=true", q, null);
        try {
            List<RequestOp> ops = List.of(RequestOp.put(PutRequest.of(Bytes.utf8("/txn/1"), Bytes.utf8("a"))),
                    RequestOp.put(PutRequest.of(Bytes.utf8("/txn/2"), Bytes.utf8("b"))),
                    RequestOp.put(PutRequest.of(Bytes.utf8("/txn/3"), Bytes.utf8("c"))));
            long rev = server.txn(new TxnRequest(List.of(), ops, List.of())).join().revision();
            List<Seen> got = List.of(take(q), take(q), take(q));
            assertEquals(List.of(rev, rev, rev), got.stream().map(Seen::revision).toList());
            assertEquals(List.of(false, false, true), got.stream().map(Seen::last).toList());
            assertEquals(List.of("/txn/1", "/txn/2", "/txn/3"), got.stream().map(Seen::key).toList());
        } finally {
            removeRoute("txn");
        }
    }

    @Test
    void aFailingExchangeIsRetriedUntilItSucceedsAndNothingIsSkipped() throws Exception {
        BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        AtomicInteger failures = new AtomicInteger(3);
        route("retry", "ketcd:/retry/?prefix=true&charset=UTF-8", q, failures);
        try {
            for (int i = 0; i < 5; i++) {
                put("/retry/k" + i, "v" + i);
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                values.add(take(q).value());
            }
            assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), values);
        } finally {
            removeRoute("retry");
        }
    }

    @Test
    void aRestartedRouteResumesAfterItsCheckpoint() throws Exception {
        BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        String uri = "ketcd:/resume/?prefix=true&charset=UTF-8";
        route("resume", uri, q, null);
        put("/resume/a", "1");
        assertEquals("1", take(q).value());
        removeRoute("resume"); // stopping writes the last delivered revision
        String stored = new String(server.range(RangeRequest.of(Bytes.utf8(Checkpoints.keyOf("resume")), Bytes.EMPTY)).join()
                .kvs().get(0).value(), StandardCharsets.US_ASCII);
        put("/resume/b", "2"); // while the route is down
        put("/resume/c", "3");
        route("resume", uri, q, null);
        try {
            assertEquals("2", take(q).value(), "resumed after checkpoint " + stored);
            assertEquals("3", take(q).value());
            assertNull(q.poll(300, TimeUnit.MILLISECONDS), "no duplicate of what was checkpointed");
        } finally {
            removeRoute("resume");
        }
    }

    @Test
    void masterRoutesOnTheSameUriKeepCheckpointsOfTheirOwn() throws Exception {
        // one ketcd: URI, two master: routes (as one route file per broker has): Camel gives both the same endpoint
        String uri = "ketcd:/shared/?prefix=true&charset=UTF-8";
        BlockingQueue<Seen> a = new LinkedBlockingQueue<>();
        BlockingQueue<Seen> b = new LinkedBlockingQueue<>();
        route("shared-a", "master:shared-a:" + uri, a, null);
        route("shared-b", "master:shared-b:" + uri, b, null);
        try {
            awaitDelivering("/shared/probe", a, b);
            removeRoute("shared-b");
            long missed = put("/shared/x", "while b was stopped");
            assertEquals("/shared/x", take(a).key());
            Thread.sleep(2500); // a checkpoints x (idle flush after 1 s)
            assertTrue(checkpoint("shared-a") >= missed, "route a checkpointed x");
            route("shared-b", "master:shared-b:" + uri, b, null);
            Seen first = take(b);
            assertEquals(new Seen("/shared/x", "PUT", missed, true, "while b was stopped", first.headers()), first,
                    "route b resumes after its own checkpoint, not after route a's");
        } finally {
            removeRoute("shared-a");
            if (camel.context().getRoute("shared-b") != null) {
                removeRoute("shared-b");
            }
        }
    }

    /** Puts {@code probe} until every queue got an event (master: starts its consumer after the election), then empties them. */
    @SafeVarargs
    static void awaitDelivering(String probe, BlockingQueue<Seen>... queues) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean[] up = new boolean[queues.length];
        boolean all = false;
        while (!all && System.nanoTime() < deadline) {
            put(probe, "p");
            Thread.sleep(200);
            all = true;
            for (int i = 0; i < queues.length; i++) {
                up[i] |= queues[i].poll() != null;
                all &= up[i];
            }
        }
        assertTrue(all, "not every route delivered within 20 s");
        Thread.sleep(300);
        for (BlockingQueue<Seen> q : queues) {
            q.clear();
        }
    }

    static long checkpoint(String id) {
        var kvs = server.range(RangeRequest.of(Bytes.utf8(Checkpoints.keyOf(id)), Bytes.EMPTY)).join().kvs();
        return kvs.isEmpty() ? 0 : Long.parseLong(new String(kvs.get(0).value(), StandardCharsets.US_ASCII));
    }

    @Test
    void aCompactedCheckpointResyncsTheCurrentStateThenContinues() throws Exception {
        BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        String uri = "ketcd:/resync/?prefix=true&charset=UTF-8";
        route("resync", uri, q, null);
        put("/resync/a", "1");
        take(q);
        removeRoute("resync");
        put("/resync/a", "2");
        put("/resync/b", "3");
        server.deleteRange(new org.ketcd.api.DeleteRangeRequest(Bytes.utf8("/resync/a"), Bytes.EMPTY, false)).join();
        long now = put("/unrelated", "x");
        server.compact(new CompactionRequest(now, true)).join();
        route("resync", uri, q, null);
        try {
            Seen b = take(q);
            assertEquals("/resync/b", b.key());
            assertEquals("3", b.value());
            assertEquals(true, b.headers().get(KetcdConstants.RESYNC));
            assertTrue(b.last());
            long after = put("/resync/c", "4");
            Seen c = take(q);
            assertEquals(after, c.revision());
            assertEquals(false, c.headers().get(KetcdConstants.RESYNC));
        } finally {
            removeRoute("resync");
        }
    }

    @Test
    void prevKvAndFilterOptions() throws Exception {
        BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        route("prev", "ketcd:/prev/k?prevKv=true&filter=put&charset=UTF-8", q, null);
        try {
            put("/prev/k", "old");
            Seen first = take(q);
            assertFalse(first.headers().containsKey(KetcdConstants.PREV_VALUE), "a create has no previous value");
            put("/prev/k", "new");
            server.deleteRange(new org.ketcd.api.DeleteRangeRequest(Bytes.utf8("/prev/k"), Bytes.EMPTY, false)).join();
            put("/prev/k", "again");
            Seen second = take(q);
            assertEquals("old", second.headers().get(KetcdConstants.PREV_VALUE));
            assertEquals("again", take(q).value(), "the delete was filtered out");
        } finally {
            removeRoute("prev");
        }
    }

    @Test
    void jsonEnvelopeCarriesTheEventForHeaderlessBrokers() throws Exception {
        BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        route("json", "ketcd:/json/k?envelope=json&charset=UTF-8", q, null);
        try {
            long rev = put("/json/k", "say \"hi\"");
            assertEquals("{\"key\":\"/json/k\",\"type\":\"PUT\",\"revision\":" + rev + ",\"createRevision\":" + rev
                    + ",\"modRevision\":" + rev + ",\"version\":1,\"lease\":0,\"lastInTransaction\":true,\"resync\":false,"
                    + "\"value\":\"say \\\"hi\\\"\"}", take(q).value());
        } finally {
            removeRoute("json");
        }
    }

    @Test
    void producerPutsGetsDeletesAndComparesVersions() throws Exception {
        ProducerTemplate p = camel.context().createProducerTemplate();
        try {
            p.sendBody("ketcd:/produced/a", "hello");
            assertEquals("hello", p.requestBody("ketcd:/produced/a?action=get&charset=UTF-8", null, String.class));
            Map<String, Object> cas = Map.of(KetcdConstants.ACTION, "txn-put-if-version", KetcdConstants.EXPECTED_VERSION, 5L);
            Message refused = p.request("ketcd:/produced/a", e -> {
                e.getIn().setHeaders(new java.util.HashMap<>(cas));
                e.getIn().setBody("lost");
            }).getMessage();
            assertEquals(false, refused.getHeader(KetcdConstants.SUCCEEDED));
            Message accepted = p.request("ketcd:/produced/a", e -> {
                e.getIn().setHeader(KetcdConstants.ACTION, "txn-put-if-version");
                e.getIn().setHeader(KetcdConstants.EXPECTED_VERSION, 1L);
                e.getIn().setBody("won");
            }).getMessage();
            assertEquals(true, accepted.getHeader(KetcdConstants.SUCCEEDED));
            p.sendBody("ketcd:/produced/b", "x");
            @SuppressWarnings("unchecked")
            Map<String, Object> all = p.requestBody("ketcd:/produced/?prefix=true&action=get&charset=UTF-8", null, Map.class);
            assertEquals(Map.of("/produced/a", "won", "/produced/b", "x"), all);
            Message deleted = p.request("ketcd:/produced/?prefix=true", e -> e.getIn().setHeader(KetcdConstants.ACTION, "delete")).getMessage();
            assertEquals(2L, deleted.getHeader(KetcdConstants.DELETED));
        } finally {
            p.close();
        }
    }

    @Test
    void aBadOptionFailsTheRouteWithAClearMessage() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> camel.context().getEndpoint("ketcd:/x?filter=update"));
        assertTrue(RouteFilesTestSupport.messages(e).contains("filter takes put and/or delete, not: update"), RouteFilesTestSupport.messages(e));
    }

    @Test
    void deployedRoutesReportTheirFileEndpointCountsLastFailureAndCheckpoint() throws Exception {
        Path file = dir.resolve("counted.camel.yaml");
        Files.writeString(file, """
                - route:
                    id: counted
                    from:
                      uri: "ketcd:/counted/?prefix=true&checkpointIntervalMs=0"
                      steps:
                        - filter:
                            simple: "${header.KetcdKey} ends with 'bad'"
                            steps:
                              - throwException:
                                  exceptionType: "java.lang.IllegalStateException"
                                  message: "refused ${header.KetcdKey}"
                """);
        assertTrue(camel.deploy(file));
        try {
            long delivered = put("/counted/a", "1");
            put("/counted/bad", "2"); // fails, and the consumer retries it
            DeployedRoutes.DeployedRoute route = null;
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); System.nanoTime() < deadline; Thread.sleep(50)) {
                route = camel.routes().stream().filter(r -> r.id().equals("counted")).findFirst().orElseThrow();
                if (route.completed() >= 1 && route.failed() >= 1 && route.checkpoint() == delivered) {
                    break;
                }
            }
            assertEquals("counted.camel.yaml", route.file());
            assertEquals("ketcd:///counted/?checkpointIntervalMs=0&prefix=true", route.from());
            assertEquals("Started", route.status());
            assertEquals(1, route.completed(), "the put of /counted/a");
            assertTrue(route.failed() >= 1, route.toString());
            assertEquals("IllegalStateException: refused /counted/bad", route.lastError());
            assertEquals(delivered, route.checkpoint(), "the checkpoint stays before the failing revision");
        } finally {
            camel.undeploy(file);
        }
    }

    @Test
    void routeFilesDeployReplaceAndUndeployWithoutTouchingOthers() throws Exception {
        Path a = dir.resolve("a.camel.yaml");
        Path broken = dir.resolve("broken.camel.yaml");
        Files.writeString(a, """
                - route:
                    id: file-a
                    from:
                      uri: "ketcd:/files/?prefix=true&charset=UTF-8"
                      steps:
                        - to: "ketcd:/copies/a?action=put"
                """);
        assertTrue(camel.deploy(a));
        put("/files/x", "one");
        awaitValue("/copies/a", "one");
        Files.writeString(broken, "- route:\n    from:\n      uri: \"ketcd:/y?filter=nonsense\"\n");
        assertFalse(camel.deploy(broken));
        assertFalse(camel.deployed().containsKey(broken.toAbsolutePath().normalize()));
        put("/files/x", "two");
        awaitValue("/copies/a", "two");
        Files.writeString(a, Files.readString(a).replace("/copies/a", "/copies/a2").replace("file-a", "file-a2"));
        assertTrue(camel.deploy(a));
        assertEquals(Map.of(a.toAbsolutePath().normalize(), java.util.Set.of("file-a2")), camel.deployed());
        put("/files/x", "three");
        awaitValue("/copies/a2", "three");
        camel.undeploy(a);
        assertTrue(camel.deployed().isEmpty());
        assertTrue(camel.context().getRoutes().stream().noneMatch(r -> r.getRouteId().startsWith("file-a")));
    }

    @Test
    void removingARouteFileDestroysTheBeansItDefined() throws Exception {
        Path file = dir.resolve("beans.camel.yaml");
        Files.writeString(file, """
                - beans:
                    - name: probe
                      type: org.ketcd.camel.ClosableProbe
                      destroyMethod: close
                - route:
                    id: with-bean
                    from:
                      uri: "ketcd:/beans/in"
                      steps:
                        - to: "ketcd:/beans/out"
                """);
        int closed = ClosableProbe.CLOSED.get();
        assertTrue(camel.deploy(file));
        assertTrue(camel.context().getRegistry().lookupByName("probe") instanceof ClosableProbe);
        camel.undeploy(file);
        assertEquals(closed + 1, ClosableProbe.CLOSED.get(), "the bean's destroy method ran");
        assertNull(camel.context().getRegistry().lookupByName("probe"));
    }

    @Test
    void xmlRouteFilesDeployToo() throws Exception {
        Path xml = dir.resolve("copy.camel.xml");
        Files.writeString(xml, """
                <routes xmlns="http://camel.apache.org/schema/spring">
                  <route id="xml-copy">
                    <from uri="ketcd:/xml/in?charset=UTF-8"/>
                    <to uri="ketcd:/xml/out"/>
                  </route>
                </routes>
                """);
        assertTrue(camel.deploy(xml));
        try {
            put("/xml/in", "from xml");
            awaitValue("/xml/out", "from xml");
        } finally {
            camel.undeploy(xml);
        }
    }

    static void awaitValue(String key, String value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            var kvs = server.range(RangeRequest.of(Bytes.utf8(key), Bytes.EMPTY)).join().kvs();
            last = kvs.isEmpty() ? null : new String(kvs.get(0).value(), StandardCharsets.UTF_8);
            if (value.equals(last)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(key + " = " + last + ", expected " + value);
    }
}
