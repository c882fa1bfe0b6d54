package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.lock.LockResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** jetcd's Lock and Election clients against three members (etcd's v3lock and v3election services). */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JetcdLockElectionTest {
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

    private static String s(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static void assertStillWaiting(CompletableFuture<?> f) throws Exception {
        assertThrows(TimeoutException.class, () -> f.get(1_500, TimeUnit.MILLISECONDS), "should still wait");
    }

    private static long lease(Client c, long ttl) throws Exception {
        return await(c.getLeaseClient().grant(ttl)).getID();
    }

    @Test
    void aLockIsHeldByOneClientAtATimeAndPassesToTheNextWaiterOnUnlock() throws Exception {
        cluster = GrpcCluster.start(dir, 3);
        Client a = cluster.client(0);
        Client b = cluster.client(1);
        LockResponse held = await(a.getLockClient().lock(b("jobs"), lease(a, 60)));
        assertTrue(s(held.getKey()).startsWith("jobs/"), s(held.getKey()));
        CompletableFuture<LockResponse> next = b.getLockClient().lock(b("jobs"), lease(b, 60));
        assertStillWaiting(next);
        await(a.getLockClient().unlock(held.getKey()));
        LockResponse second = await(next);
        assertNotEquals(held.getKey(), second.getKey());
        // the holder's key is the oldest under the prefix: a fencing token for its writes
        var keys = await(b.getKVClient().get(b("jobs/"), GetOption.builder().isPrefix(true).build())).getKvs();
        assertEquals(List.of(second.getKey()), keys.stream().map(kv -> kv.getKey()).toList());
    }

    @Test
    void aHolderWhoseLeaseExpiresLosesTheLockToTheNextWaiter() throws Exception {
        cluster = GrpcCluster.start(dir, 3);
        Client a = cluster.client(0);
        Client b = cluster.client(2);
        await(a.getLockClient().lock(b("res"), lease(a, 2))); // never kept alive
        CompletableFuture<LockResponse> next = b.getLockClient().lock(b("res"), lease(b, 60));
        LockResponse got = next.get(30, TimeUnit.SECONDS);
        assertTrue(s(got.getKey()).startsWith("res/"));
    }

    @Test
    void aWaiterThatGivesUpLeavesTheQueue() throws Exception {
        cluster = GrpcCluster.start(dir, 3);
        Client a = cluster.client(0);
        await(a.getLockClient().lock(b("q"), lease(a, 60)));
        long quitter = lease(a, 60);
        io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder
                .forTarget(java.net.URI.create(cluster.clientUrl(1)).getAuthority()).usePlaintext().build();
        try {
            var lock = io.etcd.jetcd.api.lock.LockGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS);
            io.grpc.StatusRuntimeException gaveUp = assertThrows(io.grpc.StatusRuntimeException.class, () -> lock.lock(
                    io.etcd.jetcd.api.lock.LockRequest.newBuilder().setName(com.google.protobuf.ByteString.copyFromUtf8("q"))
                            .setLease(quitter).build()));
            assertEquals(io.grpc.Status.Code.DEADLINE_EXCEEDED, gaveUp.getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (await(a.getKVClient().get(b("q/"), GetOption.builder().isPrefix(true).build())).getCount() != 1) {
            assertTrue(System.currentTimeMillis() < deadline, "the quitter's key was not deleted");
            Thread.sleep(100);
        }
    }

    @Test
    void anElectionHasOneLeaderWhoProclaimsAndResignsWhileObserversFollow() throws Exception {
        cluster = GrpcCluster.start(dir, 3);
        Client a = cluster.client(0);
        Client b = cluster.client(1);
        Client watcher = cluster.client(2);
        Election election = watcher.getElectionClient();
        ExecutionException none = assertThrows(ExecutionException.class, () -> await(election.leader(b("svc"))));
        // jetcd recognises etcd's exact status text "election: no leader" and raises its own exception for it
        assertTrue(none.getCause() instanceof io.etcd.jetcd.election.NoLeaderException, String.valueOf(none.getCause()));

        BlockingQueue<String> observed = new LinkedBlockingQueue<>();
        election.observe(b("svc"), new Election.Listener() {
            @Override
            public void onNext(LeaderResponse r) {
                observed.add(s(r.getKv().getValue()));
            }

            @Override
            public void onError(Throwable t) {
                observed.add("error: " + t);
            }

            @Override
            public void onCompleted() {
            }
        });
        CampaignResponse won = await(a.getElectionClient().campaign(b("svc"), lease(a, 60), b("alpha")));
        assertEquals("alpha", observed.poll(20, TimeUnit.SECONDS));
        CompletableFuture<CampaignResponse> challenger = b.getElectionClient().campaign(b("svc"), lease(b, 60), b("beta"));
        assertStillWaiting(challenger);
        assertEquals("alpha", s(await(election.leader(b("svc"))).getKv().getValue()));

        await(a.getElectionClient().proclaim(won.getLeader(), b("alpha-2")));
        assertEquals("alpha-2", observed.poll(20, TimeUnit.SECONDS));
        await(a.getElectionClient().resign(won.getLeader()));
        CampaignResponse next = await(challenger);
        assertEquals("beta", observed.poll(20, TimeUnit.SECONDS));
        assertEquals("beta", s(await(election.leader(b("svc"))).getKv().getValue()));
        assertTrue(next.getLeader().getRevision() > won.getLeader().getRevision());

        ExecutionException stale = assertThrows(ExecutionException.class,
                () -> await(a.getElectionClient().proclaim(won.getLeader(), b("usurper"))));
        assertTrue(stale.getCause() instanceof io.etcd.jetcd.election.NotLeaderException, String.valueOf(stale.getCause()));
        assertEquals("beta", s(await(election.leader(b("svc"))).getKv().getValue()));
        assertFalse(observed.stream().anyMatch(o -> o.startsWith("error")), observed.toString());
    }
}
