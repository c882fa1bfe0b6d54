package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's --max-concurrent-streams: a connection may have that many calls open at once; another one waits until
 * one ends (here: past its deadline), while by default the same connection takes it at once.
 */
@Timeout(120)
class MaxConcurrentStreamsTest {
    @TempDir
    Path dir;

    @Test
    void aConnectionAtItsStreamLimitHoldsTheNextCallUntilOneEnds() throws Exception {
        try (GrpcCluster limited = GrpcCluster.start(dir.resolve("limited"), 1, "--max-concurrent-streams", "1");
             GrpcCluster unlimited = GrpcCluster.start(dir.resolve("default"), 1)) {
            assertEquals(Status.Code.DEADLINE_EXCEEDED, rangeBesideAWatch(limited));
            assertEquals(Status.Code.OK, rangeBesideAWatch(unlimited));
        }
    }

    /** Opens a watch stream, then a range on the same connection (2 s deadline); answers the range's status. */
    private static Status.Code rangeBesideAWatch(GrpcCluster cluster) throws Exception {
        URI url = URI.create(cluster.clientUrl(0));
        ManagedChannel channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
        try {
            CountDownLatch created = new CountDownLatch(1);
            StreamObserver<WatchRequest> watch = WatchGrpc.newStub(channel).watch(new StreamObserver<WatchResponse>() {
                @Override
                public void onNext(WatchResponse r) {
                    created.countDown();
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            watch.onNext(WatchRequest.newBuilder().setCreateRequest(io.etcd.jetcd.api.WatchCreateRequest.newBuilder()
                    .setKey(com.google.protobuf.ByteString.copyFromUtf8("/streams"))).build());
            assertEquals(true, created.await(10, TimeUnit.SECONDS), "the watch was created");
            try {
                KVGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("/streams")).build());
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            } finally {
                watch.onCompleted();
            }
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
