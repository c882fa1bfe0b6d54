package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd proposes a write only while its request's context lives: a put whose client gave up (cancelled, or its
 * deadline passed) before raft took it never happens. Ketcd queues writes behind the entry in flight; a queued
 * write whose gRPC call was cancelled must not be proposed once a leader is back.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CancelledWriteTest {
    @TempDir
    Path dir;

    private static PutRequest put(String key, String value) {
        return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).build();
    }

    @Test
    void aQueuedPutWhoseCallWasCancelledIsNeverCommittedWhenALeaderReturns() throws Exception {
        try (GrpcCluster cluster = GrpcCluster.start(dir, 3)) {
            cluster.leader();
            cluster.stop(1);
            cluster.stop(2); // member 0 alone: no leader, writes wait
            URI url = URI.create(cluster.clientUrl(0));
            ManagedChannel channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
            try {
                // In flight: Raft retries it until a leader takes it or its 7 s timeout passes.
                var inFlight = KVGrpc.newFutureStub(channel).put(put("/first", "1"));
                Thread.sleep(200);
                // Queued behind it; its client gives up after 300 ms.
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(300, TimeUnit.MILLISECONDS).put(put("/cancelled", "x")));
                assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());

                cluster.cluster().startMember(1); // a majority again, well within the queued put's 7 s
                cluster.leader();
                try {
                    inFlight.get(30, TimeUnit.SECONDS); // committed or timed out: either is etcd's behaviour
                } catch (java.util.concurrent.ExecutionException answered) {
                    // "request timed out": the outcome of /first is unknown, as in etcd
                }
                PutResponse after = putUntilAccepted(channel, put("/after", "2"));
                var range = KVGrpc.newBlockingStub(channel).range(
                        RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("/cancelled")).build());
                assertEquals(0, range.getCount(), () -> "the cancelled put was committed: "
                        + range.getKvsList().get(0).getValue().toString(StandardCharsets.UTF_8) + " (revision now "
                        + after.getHeader().getRevision() + ")");
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void aPutWaitingForALeaderWhoseCallWasCancelledIsNeverCommittedWhenALeaderReturns() throws Exception {
        try (GrpcCluster cluster = GrpcCluster.start(dir, 3)) {
            cluster.leader();
            cluster.stop(1);
            cluster.stop(2);
            awaitNoLeader(cluster.member(0)); // a leader would append it: then its outcome is open, as in etcd
            URI url = URI.create(cluster.clientUrl(0));
            ManagedChannel channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
            try {
                // The entry in flight, retried for a leader for up to 7 s; its client gives up after 300 ms (etcdctl: 5 s).
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(300, TimeUnit.MILLISECONDS).put(put("/given-up", "x")));
                assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());

                cluster.cluster().startMember(1); // a majority again, well within the put's 7 s
                cluster.leader();
                PutResponse after = putUntilAccepted(channel, put("/after", "2"));
                var range = KVGrpc.newBlockingStub(channel).range(
                        RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("/given-up")).build());
                assertEquals(0, range.getCount(), () -> "the put whose client gave up was committed at revision "
                        + range.getKvsList().get(0).getModRevision() + " (revision now " + after.getHeader().getRevision() + ")");
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static void awaitNoLeader(org.ketcd.server.EtcdMember member) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (member.server().status().get().leader() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("member still names a leader 15 s after losing its majority");
            }
            Thread.sleep(50);
        }
    }

    private static PutResponse putUntilAccepted(ManagedChannel channel, PutRequest request) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).put(request);
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
