package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.GrpcCallStats;

/** What the endpoint's call counts ({@code /metrics}' grpc_server_* and client byte counters) show an operator. */
class GrpcCallStatsTest {
    private static final String KV = "etcdserverpb.KV";

    @TempDir
    static Path dir;
    static GrpcCluster cluster;
    static GrpcEndpoint endpoint;
    static Client client;
    static KV kv;

    @BeforeAll
    static void start() throws Exception {
        cluster = GrpcCluster.start(dir, 1);
        endpoint = cluster.endpoint(0);
        client = cluster.client(0);
        kv = client.getKVClient();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyServedMethodIsListedWithZerosBeforeItIsCalled() {
        List<GrpcCallStats.Method> methods = endpoint.callStats().methods();
        assertEquals(Set.of("etcdserverpb.KV", "etcdserverpb.Watch", "etcdserverpb.Lease", "etcdserverpb.Cluster",
                        "etcdserverpb.Maintenance", "etcdserverpb.Auth", "v3lockpb.Lock", "v3electionpb.Election"),
                methods.stream().map(GrpcCallStats.Method::service).collect(Collectors.toSet()));
        GrpcCallStats.Method defragment = method("etcdserverpb.Maintenance", "Defragment");
        assertEquals(0, defragment.started());
        assertEquals(0, defragment.messagesReceived());
        assertEquals(0, defragment.messagesSent());
        assertEquals(List.of("OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
                "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
                "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"), List.copyOf(defragment.handled().keySet()));
        assertTrue(defragment.handled().values().stream().allMatch(n -> n == 0));
        assertEquals(false, endpoint.callStats().handlingTimes(), "calls are timed only with --metrics extensive");
        assertEquals(null, defragment.handlingSeconds());
    }

    @Test
    void withMetricsExtensiveEveryCallIsTimedInGoGrpcPrometheusBuckets(@TempDir Path extensiveDir) throws Exception {
        try (GrpcCluster extensive = GrpcCluster.start(extensiveDir, 1, "--metrics=extensive")) {
            GrpcCallStats stats = extensive.endpoint(0).callStats();
            assertTrue(stats.handlingTimes());
            GrpcCallStats.Method idle = stats.methods().stream().filter(m -> m.method().equals("Defragment")).findFirst().orElseThrow();
            assertEquals(0, idle.handlingSeconds().count(), "every method listed with an empty histogram, as etcd");
            assertEquals(List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
                    java.util.Arrays.stream(idle.handlingSeconds().bounds()).boxed().toList());
            KV timedKv = extensive.client(0).getKVClient();
            for (int i = 0; i < 3; i++) {
                timedKv.put(b("timed/" + i), b("v")).get(20, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            GrpcCallStats.Method put;
            do {
                put = stats.methods().stream().filter(m -> m.service().equals(KV) && m.method().equals("Put")).findFirst().orElseThrow();
            } while (put.handlingSeconds().count() < 3 && System.nanoTime() < deadline && sleep(10));
            assertEquals(3, put.handlingSeconds().count(), "one timing per handled put");
            assertEquals(handled(put), put.handlingSeconds().count());
            assertTrue(put.handlingSeconds().sumSeconds() > 0);
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    @Test
    void eachMethodIsLabelledWithItsGrpcType() {
        assertEquals("unary", method(KV, "Range").type());
        assertEquals("unary", method("etcdserverpb.Lease", "LeaseLeases").type());
        assertEquals("bidi_stream", method("etcdserverpb.Watch", "Watch").type());
        assertEquals("bidi_stream", method("etcdserverpb.Lease", "LeaseKeepAlive").type());
        assertEquals("server_stream", method("etcdserverpb.Maintenance", "Snapshot").type());
        assertEquals("server_stream", method("v3electionpb.Election", "Observe").type());
    }

    @Test
    void unaryCallsAreCountedPerMethodAndStatusCode() throws Exception {
        GrpcCallStats.Method putBefore = method(KV, "Put");
        GrpcCallStats.Method rangeBefore = method(KV, "Range");
        for (int i = 0; i < 3; i++) {
            kv.put(b("counted/" + i), b("v")).get(20, TimeUnit.SECONDS);
        }
        assertEquals(0, kv.get(b("counted/missing")).get(20, TimeUnit.SECONDS).getCount());
        // etcd answers InvalidArgument "etcdserver: key is not provided"
        assertThrows(ExecutionException.class, () -> kv.put(b(""), b("v")).get(20, TimeUnit.SECONDS));

        awaitStats(() -> handled(method(KV, "Put")) == handled(putBefore) + 4 && handled(method(KV, "Range")) == handled(rangeBefore) + 1);
        GrpcCallStats.Method put = method(KV, "Put");
        assertEquals(putBefore.started() + 4, put.started());
        assertEquals(putBefore.handled().get("OK") + 3, put.handled().get("OK"));
        assertEquals(putBefore.handled().get("InvalidArgument") + 1, put.handled().get("InvalidArgument"));
        assertEquals(putBefore.messagesReceived() + 4, put.messagesReceived());
        assertEquals(putBefore.messagesSent() + 3, put.messagesSent(), "a failed call sends no message");
        GrpcCallStats.Method range = method(KV, "Range");
        assertEquals(rangeBefore.started() + 1, range.started());
        assertEquals(rangeBefore.handled().get("OK") + 1, range.handled().get("OK"), "a missing key is no error");
        assertEquals(rangeBefore.messagesReceived() + 1, range.messagesReceived());
        assertEquals(rangeBefore.messagesSent() + 1, range.messagesSent());
    }

    @Test
    void aWatchIsOneStreamWhoseMessagesAreCountedAndWhichIsHandledWhenClosed() throws Exception {
        GrpcCallStats.Method before = method("etcdserverpb.Watch", "Watch");
        long from = kv.put(b("watched"), b("0")).get(20, TimeUnit.SECONDS).getHeader().getRevision() + 1;
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        try (Watch.Watcher w = client.getWatchClient().watch(b("watched"), WatchOption.builder().withRevision(from).build(),
                Watch.listener(r -> events.addAll(r.getEvents())))) {
            kv.put(b("watched"), b("1")).get(20, TimeUnit.SECONDS);
            kv.put(b("watched"), b("2")).get(20, TimeUnit.SECONDS);
            awaitStats(() -> events.size() == 2);
            GrpcCallStats.Method open = method("etcdserverpb.Watch", "Watch");
            assertEquals(before.started() + 1, open.started());
            assertEquals(handled(before), handled(open), "an open watch is not handled yet");
            assertTrue(open.messagesReceived() >= before.messagesReceived() + 1, "the create request");
            assertTrue(open.messagesSent() >= before.messagesSent() + 2, "the created response and the events");
        }
        // jetcd closes a watcher by cancelling its stream, which etcd's handler returns as Canceled
        awaitStats(() -> handled(method("etcdserverpb.Watch", "Watch")) == handled(before) + 1);
        assertEquals(before.handled().get("Canceled") + 1, method("etcdserverpb.Watch", "Watch").handled().get("Canceled"));
    }

    @Test
    void byteCountersGrowByTheSizeOfEachMessage() throws Exception {
        ByteSequence value = ByteSequence.from(new byte[10_000]);
        long received = endpoint.callStats().receivedBytes();
        kv.put(b("large"), value).get(20, TimeUnit.SECONDS);
        awaitStats(() -> endpoint.callStats().receivedBytes() >= received + 10_000);
        long sent = endpoint.callStats().sentBytes();
        kv.get(b("large")).get(20, TimeUnit.SECONDS);
        awaitStats(() -> endpoint.callStats().sentBytes() >= sent + 10_000);
        assertTrue(endpoint.callStats().receivedBytes() < received + 11_000, "the put's request and the get's, no more");
        assertTrue(endpoint.callStats().sentBytes() < sent + 11_000, "the get's response, no more");
    }

    @Test
    void jsonGatewayCallsAreCountedLikeClientPortCalls() throws Exception {
        GrpcCallStats.Method before = method(KV, "Range");
        long received = endpoint.callStats().receivedBytes();
        long sent = endpoint.callStats().sentBytes();
        byte[] request = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("via-gateway")).build().toByteArray();
        byte[] response = endpoint.gateway().unary("etcdserverpb.KV/Range", request, null)
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(0, RangeResponse.parseFrom(response).getCount());

        awaitStats(() -> handled(method(KV, "Range")) == handled(before) + 1);
        GrpcCallStats.Method range = method(KV, "Range");
        assertEquals(before.started() + 1, range.started());
        assertEquals(before.handled().get("OK") + 1, range.handled().get("OK"));
        assertEquals(before.messagesReceived() + 1, range.messagesReceived());
        assertEquals(before.messagesSent() + 1, range.messagesSent());
        assertEquals(received + request.length, endpoint.callStats().receivedBytes());
        assertEquals(sent + response.length, endpoint.callStats().sentBytes());
    }

    private static GrpcCallStats.Method method(String service, String name) {
        return endpoint.callStats().methods().stream()
                .filter(m -> m.service().equals(service) && m.method().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(service + "/" + name + " is not listed"));
    }

    private static long handled(GrpcCallStats.Method m) {
        return m.handled().values().stream().mapToLong(Long::longValue).sum();
    }

    /** A call's end reaches the server's counters as its response reaches the client: waits for both to be seen. */
    private static void awaitStats(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached in 10 s: " + endpoint.callStats().methods());
            }
            Thread.sleep(10);
        }
    }

    private static ByteSequence b(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
