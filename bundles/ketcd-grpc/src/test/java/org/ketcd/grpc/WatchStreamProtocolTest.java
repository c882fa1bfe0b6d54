package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.WatchCancelRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Watch stream's protocol as etcd 3.4's serverWatchStream speaks it, on the raw gRPC messages:
 * watch ids (auto and client-chosen), refusals, cancel, progress requests and fragments.
 */
class WatchStreamProtocolTest {
    /** Small, so that a few kilobytes of events must be fragmented. */
    static final int MAX_REQUEST_BYTES = 4096;

    @TempDir
    static Path dir;
    static GrpcCluster cluster;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        cluster = GrpcCluster.start(dir, 1, "--max-request-bytes", Integer.toString(MAX_REQUEST_BYTES));
        URI url = URI.create(cluster.clientUrl(0));
        channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One open Watch stream. */
    static final class Stream implements StreamObserver<WatchResponse>, AutoCloseable {
        final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        final StreamObserver<WatchRequest> requests = WatchGrpc.newStub(channel).watch(this);

        WatchResponse next() throws InterruptedException {
            WatchResponse r = responses.poll(30, TimeUnit.SECONDS);
            assertNotNull(r, "a response within 30 s");
            return r;
        }

        void create(WatchCreateRequest.Builder c) {
            requests.onNext(WatchRequest.newBuilder().setCreateRequest(c).build());
        }

        @Override
        public void onNext(WatchResponse r) {
            responses.add(r);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }

        @Override
        public void close() {
            requests.onCompleted();
        }
    }

    static WatchCreateRequest.Builder create(String key) {
        return WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key));
    }

    static WatchCreateRequest.Builder withUnknown(WatchCreateRequest.Builder c, int field, long value) {
        return c.setUnknownFields(UnknownFieldSet.newBuilder(c.getUnknownFields())
                .addField(field, UnknownFieldSet.Field.newBuilder().addVarint(value).build()).build());
    }

    static long put(String key, String value) {
        return KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                .setValue(ByteString.copyFromUtf8(value)).build()).getHeader().getRevision();
    }

    @Test
    void autoIdsCountFromZeroBesideClientChosenIdsAndADuplicateIdIsRefusedAsEtcd() throws Exception {
        try (Stream s = new Stream()) {
            s.create(create("a"));
            assertEquals(0, s.next().getWatchId());
            s.create(withUnknown(create("a"), 7, 5));
            WatchResponse chosen = s.next();
            assertEquals(5, chosen.getWatchId());
            assertTrue(chosen.getCreated());
            s.create(create("a"));
            assertEquals(1, s.next().getWatchId());
            s.create(withUnknown(create("b"), 7, 5));
            WatchResponse dup = s.next();
            assertEquals(-1, dup.getWatchId());
            assertTrue(dup.getCreated() && dup.getCanceled());
            assertEquals("mvcc: duplicate watch ID provided on the WatchStream", dup.getCancelReason());
        }
    }

    @Test
    void anEmptyRangeIsRefusedWithEtcdsReason() throws Exception {
        try (Stream s = new Stream()) {
            s.create(create("b").setRangeEnd(ByteString.copyFromUtf8("a")));
            WatchResponse r = s.next();
            assertTrue(r.getCreated() && r.getCanceled());
            assertEquals(-1, r.getWatchId());
            assertEquals("mvcc: watcher range is empty", r.getCancelReason());
        }
    }

    @Test
    void aCanceledWatcherIsConfirmedAndGetsNoMoreEvents() throws Exception {
        try (Stream s = new Stream()) {
            s.create(create("c"));
            long id = s.next().getWatchId();
            put("c", "1");
            assertEquals(1, s.next().getEventsCount());
            s.requests.onNext(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id)).build());
            WatchResponse canceled = s.next();
            assertTrue(canceled.getCanceled());
            assertEquals(id, canceled.getWatchId());
            long rev = put("c", "2");
            s.requests.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
            WatchResponse progress = s.next();
            assertEquals(0, progress.getEventsCount(), "the put after the cancel is not delivered");
            assertEquals(-1, progress.getWatchId());
            assertEquals(rev, progress.getHeader().getRevision());
        }
    }

    @Test
    void closingTheEndpointEndsOpenWatchStreamsWithServerStopped() throws Exception {
        GrpcEndpoint second = GrpcEndpoint.start(cluster.member(0).server(), List.of(URI.create("http://127.0.0.1:0")));
        ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", second.ports().get(0)).usePlaintext().build();
        try {
            java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
            BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
            StreamObserver<WatchRequest> requests = WatchGrpc.newStub(ch).watch(new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    responses.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    ended.complete(t);
                }

                @Override
                public void onCompleted() {
                    ended.complete(null);
                }
            });
            requests.onNext(WatchRequest.newBuilder().setCreateRequest(create("s")).build());
            assertNotNull(responses.poll(30, TimeUnit.SECONDS), "created");
            second.close();
            io.grpc.Status status = io.grpc.Status.fromThrowable(ended.get(30, TimeUnit.SECONDS));
            assertEquals(io.grpc.Status.Code.UNAVAILABLE, status.getCode());
            assertEquals("etcdserver: server stopped", status.getDescription());
        } finally {
            ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            second.close();
        }
    }

    @Test
    void aResponseOverTheRequestLimitIsSentInFragmentsWhenAsked() throws Exception {
        long first = 0;
        for (int i = 0; i < 10; i++) {
            long rev = put("frag/" + i, "x".repeat(1000));
            first = first == 0 ? rev : first;
        }
        try (Stream s = new Stream()) {
            s.create(withUnknown(create("frag/").setRangeEnd(ByteString.copyFromUtf8("frag0")).setStartRevision(first), 8, 1));
            s.next(); // created
            List<WatchResponse> parts = new ArrayList<>();
            int events = 0;
            while (events < 10) {
                WatchResponse r = s.next();
                parts.add(r);
                events += r.getEventsCount();
            }
            assertTrue(parts.size() > 1, "fragmented into " + parts.size());
            for (int i = 0; i < parts.size(); i++) {
                assertEquals(i < parts.size() - 1, WatchMessages.isFragment(parts.get(i)), "fragment flag of part " + i);
                assertTrue(parts.get(i).getSerializedSize() < MAX_REQUEST_BYTES || parts.get(i).getEventsCount() == 1);
            }
        }
        try (Stream s = new Stream()) {
            s.create(create("frag/").setRangeEnd(ByteString.copyFromUtf8("frag0")).setStartRevision(first));
            s.next();
            WatchResponse whole = s.next();
            assertEquals(10, whole.getEventsCount(), "without fragment the history comes in one response");
            assertFalse(WatchMessages.isFragment(whole));
        }
    }
}
