package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** jetcd's Lease client against three members: grants, keep-alives and expiry decided by the leader, seen by all. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JetcdLeaseClusterTest {
    @TempDir
    Path dir;
    private GrpcCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ByteSequence b(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static boolean exists(Client c, String key, boolean serializable) throws Exception {
        return await(c.getKVClient().get(b(key), GetOption.builder().withSerializable(serializable).build())).getCount() == 1;
    }

    /** Keeps {@code lease} alive from {@code client}, counting the answers with a positive TTL. */
    private static CloseableClient keepAlive(Client client, long lease, AtomicInteger answers) {
        return client.getLeaseClient().keepAlive(lease, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                if (r.getTTL() > 0) {
                    answers.incrementAndGet();
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    private static void awaitGone(Client c, String key, long withinMs) throws Exception {
        long deadline = System.currentTimeMillis() + withinMs;
        while (exists(c, key, false)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(key + " still there after " + withinMs + " ms");
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aLeaseKeptAliveThroughAFollowerOutlivesItsTtlAndWhenItExpiresEveryMemberLosesItsKeys() throws Exception {
        cluster = GrpcCluster.start(dir, 3);
        int follower = (cluster.leader() + 1) % 3;
        Client c = cluster.client(follower);
        // etcd's minimum TTL with the default 100 ms heartbeat and 1 s election timeout is 2 s
        long shortest = await(c.getLeaseClient().grant(1)).getID();
        assertEquals(2, await(c.getLeaseClient().timeToLive(shortest, LeaseOption.DEFAULT)).getGrantedTTL());
        long lease = await(c.getLeaseClient().grant(3)).getID();
        await(c.getKVClient().put(b("/lease/a"), b("1"), PutOption.builder().withLeaseId(lease).build()));
        await(c.getKVClient().put(b("/lease/b"), b("2"), PutOption.builder().withLeaseId(lease).build()));

        AtomicInteger answers = new AtomicInteger();
        try (CloseableClient keeper = keepAlive(c, lease, answers)) {
            Thread.sleep(7_000); // more than twice the TTL
            assertTrue(exists(c, "/lease/a", false), "kept alive");
            assertTrue(answers.get() >= 2, "keep-alive answers: " + answers.get());
        }
        awaitGone(c, "/lease/a", 15_000);
        long revision = await(c.getKVClient().get(b("/lease/a"))).getHeader().getRevision();
        for (int i = 0; i < 3; i++) {
            Client m = cluster.client(i);
            // A linearizable read on each member, then what it holds locally: the same keys gone at the same revision.
            assertFalse(exists(m, "/lease/b", false), "member " + i);
            var local = await(m.getKVClient().get(b("/lease/"), GetOption.builder().isPrefix(true).withSerializable(true).build()));
            assertEquals(0, local.getCount(), "member " + i);
            assertEquals(revision, local.getHeader().getRevision(), "member " + i + " revision");
            assertEquals(-1, await(m.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT)).getTTL(), "member " + i);
        }
        // both keys went in one revision: the one after the last put
        var history = await(c.getKVClient().get(b("/lease/a"), GetOption.builder().withRevision(revision - 1).build()));
        assertEquals(1, history.getCount(), "the key existed until the revoke's single revision");
    }

    @Test
    void aLeaderChangeDoesNotExpireALeaseAndKeepAlivesGoOnThroughTheNewLeader() throws Exception {
        cluster = GrpcCluster.start(dir, 3);
        int leader = cluster.leader();
        int survivor = (leader + 1) % 3;
        Client c = cluster.client(survivor);
        long lease = await(c.getLeaseClient().grant(4)).getID();
        await(c.getKVClient().put(b("/held"), b("v"), PutOption.builder().withLeaseId(lease).build()));
        AtomicInteger answers = new AtomicInteger();
        try (CloseableClient keeper = keepAlive(c, lease, answers)) {
            Thread.sleep(1_000);
            cluster.stop(leader);
            int before = answers.get();
            Thread.sleep(9_000); // more than twice the TTL, across the election
            assertTrue(exists(c, "/held", false), "the lease outlived the leader change");
            assertTrue(answers.get() > before, "keep-alives answered by the new leader: " + before + " -> " + answers.get());
        }
        awaitGone(c, "/held", 20_000);
    }

    @Test
    void timeToLiveOnAFollowerReportsTheLeadersCountdownAndTheAttachedKeys() throws Exception {
        cluster = GrpcCluster.start(dir, 3);
        int leader = cluster.leader();
        long lease = await(cluster.client(leader).getLeaseClient().grant(60)).getID();
        for (String k : List.of("/t/2", "/t/1")) {
            await(cluster.client(leader).getKVClient().put(b(k), b("v"), PutOption.builder().withLeaseId(lease).build()));
        }
        LeaseTimeToLiveResponse ttl = await(cluster.client((leader + 2) % 3).getLeaseClient()
                .timeToLive(lease, LeaseOption.newBuilder().withAttachedKeys().build()));
        assertEquals(60, ttl.getGrantedTTL());
        assertTrue(ttl.getTTL() > 50 && ttl.getTTL() <= 60, "remaining " + ttl.getTTL());
        assertEquals(List.of(b("/t/1"), b("/t/2")), ttl.getKeys());
        assertEquals(-1, await(cluster.client(leader).getLeaseClient().timeToLive(12345, LeaseOption.DEFAULT)).getTTL());
    }

    @Test
    void badLeaseRequestsGetEtcdsErrorsAndChangeNothing() throws Exception {
        cluster = GrpcCluster.start(dir, 3);
        Client c = cluster.client(0);
        long revision = await(c.getKVClient().put(b("/k"), b("v"))).getHeader().getRevision();
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> await(c.getKVClient().put(b("/k"), b("w"), PutOption.builder().withLeaseId(777).build())));
        assertTrue(unknown.getCause().getMessage().contains("etcdserver: requested lease not found"), unknown.getCause().getMessage());
        ExecutionException tooLong = assertThrows(ExecutionException.class, () -> await(c.getLeaseClient().grant(9_000_000_001L)));
        assertTrue(tooLong.getCause().getMessage().contains("etcdserver: too large lease TTL"), tooLong.getCause().getMessage());
        ExecutionException revokeUnknown = assertThrows(ExecutionException.class, () -> await(c.getLeaseClient().revoke(777)));
        assertTrue(revokeUnknown.getCause().getMessage().contains("etcdserver: requested lease not found"));
        // jetcd cannot choose a lease id; etcd's own stub can
        io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder
                .forTarget(java.net.URI.create(cluster.clientUrl(0)).getAuthority()).usePlaintext().build();
        try {
            var lease = io.etcd.jetcd.api.LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            var request = io.etcd.jetcd.api.LeaseGrantRequest.newBuilder().setID(4242).setTTL(60).build();
            assertEquals(4242, lease.leaseGrant(request).getID(), "a client-chosen id is kept");
            io.grpc.StatusRuntimeException twice = assertThrows(io.grpc.StatusRuntimeException.class, () -> lease.leaseGrant(request));
            assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, twice.getStatus().getCode());
            assertEquals("etcdserver: lease already exists", twice.getStatus().getDescription());
        } finally {
            channel.shutdownNow();
        }
        var kv = await(c.getKVClient().get(b("/k"))).getKvs().get(0);
        assertEquals("v", kv.getValue().toString(StandardCharsets.UTF_8));
        assertEquals(revision, kv.getModRevision());
    }
}
