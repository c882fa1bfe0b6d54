package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Member;
import org.ketcd.api.MemberAddResponse;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/** etcd's membership operations on an in-JVM cluster: add and join, learners, promote, remove, move-leader. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MembershipTest {
    @TempDir
    Path dir;
    private LocalCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    private static EtcdError refusal(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof EtcdException, e.getCause().toString());
        return ((EtcdException) e.getCause()).error();
    }

    private static String value(EtcdServer s, String key) throws Exception {
        var kvs = get(s.range(RangeRequest.of(Bytes.utf8(key), Bytes.EMPTY))).kvs();
        return kvs.isEmpty() ? null : new String(kvs.get(0).value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String serializableValue(EtcdServer s, String key) throws Exception {
        RangeRequest r = new RangeRequest(Bytes.utf8(key), Bytes.EMPTY, 0, 0, RangeRequest.SortOrder.NONE,
                RangeRequest.SortTarget.KEY, true, false, false, 0, 0, 0, 0);
        var kvs = get(s.range(r)).kvs();
        return kvs.isEmpty() ? null : new String(kvs.get(0).value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Member listed(EtcdServer s, long id) {
        return s.members().stream().filter(m -> m.id() == id).findFirst().orElse(null);
    }

    @Test
    void anAddedMemberStartedWithStateExistingJoinsCatchesUpAndVotes() throws Exception {
        cluster = LocalCluster.start(dir, 3, "grow");
        EtcdServer s = cluster.member(0).server();
        get(s.put(PutRequest.of(Bytes.utf8("/before"), Bytes.utf8("1"))));
        int slot = cluster.addSlot();
        MemberAddResponse added = get(s.addMember(List.of(cluster.peerUrl(slot)), false));
        assertEquals("", added.member().name(), "an added member has no name until it starts");
        assertEquals(4, added.members().size());

        cluster.startMember(slot, "--initial-cluster-state", "existing");
        EtcdServer joined = cluster.member(slot).server();
        assertEquals(added.member().id(), cluster.member(slot).memberId(), "it took the id it was added with");
        assertEquals("1", value(joined, "/before"), "it caught up");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (listed(s, added.member().id()).name().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals("m4", listed(s, added.member().id()).name(), "it published its name");

        // Now a voter: with two of four stopped, the remaining two are no quorum of four.
        get(joined.put(PutRequest.of(Bytes.utf8("/after"), Bytes.utf8("2"))));
        assertEquals("2", value(s, "/after"));
    }

    @Test
    void aLearnerReceivesTheLogWithoutVotingAndIsPromotedOnceInSync() throws Exception {
        cluster = LocalCluster.start(dir, 3, "learner");
        EtcdServer s = cluster.member(0).server();
        int slot = cluster.addSlot();
        MemberAddResponse added = get(s.addMember(List.of(cluster.peerUrl(slot)), true));
        assertTrue(added.member().learner());
        assertEquals(EtcdError.TOO_MANY_LEARNERS, refusal(s.addMember(List.of("http://127.0.0.1:1"), true)));
        assertEquals(EtcdError.LEARNER_NOT_READY, refusal(s.promoteMember(added.member().id())), "not started yet");

        cluster.startMember(slot, "--initial-cluster-state", "existing");
        get(s.put(PutRequest.of(Bytes.utf8("/l"), Bytes.utf8("v"))));
        EtcdServer learner = cluster.member(slot).server();
        assertEquals(EtcdError.NOT_SUPPORTED_FOR_LEARNER, refusal(learner.range(RangeRequest.of(Bytes.utf8("/l"), Bytes.EMPTY))));
        assertEquals(EtcdError.NOT_SUPPORTED_FOR_LEARNER, refusal(learner.put(PutRequest.of(Bytes.utf8("/l"), Bytes.utf8("w")))));
        assertTrue(get(learner.status()).learner());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!"v".equals(serializableValue(learner, "/l")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals("v", serializableValue(learner, "/l"), "the learner receives the log");

        // As etcd's operators do, promote is retried until the learner has caught up (etcd: 90% of the leader's log).
        int leader = cluster.awaitLeader();
        List<Member> after = null;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (after == null) {
            try {
                after = get(cluster.member(leader).server().promoteMember(added.member().id()));
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline || ((EtcdException) e.getCause()).error() != EtcdError.LEARNER_NOT_READY) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        assertFalse(after.stream().filter(m -> m.id() == added.member().id()).findFirst().orElseThrow().learner());
        value(s, "/l"); // a linearizable read: member 0 has applied the promotion too
        assertEquals(EtcdError.MEMBER_NOT_LEARNER, refusal(s.promoteMember(added.member().id())));
    }

    @Test
    void removingTheLeaderMovesLeadershipFirstAndTheRestGoOn() throws Exception {
        cluster = LocalCluster.start(dir, 3, "shrink");
        int leader = cluster.awaitLeader();
        long leaderId = cluster.member(leader).memberId();
        int other = (leader + 1) % 3;
        List<Member> after = get(cluster.member(other).server().removeMember(leaderId));
        assertEquals(2, after.size());
        assertTrue(after.stream().noneMatch(m -> m.id() == leaderId));
        cluster.member(leader).removedFromCluster().get(30, TimeUnit.SECONDS); // it learned of its removal
        cluster.stopMember(leader);
        int newLeader = cluster.awaitLeader();
        assertTrue(cluster.member(newLeader).memberId() != leaderId);
        // Two voters left: a write needs both, and both are up.
        get(cluster.member(other).server().put(PutRequest.of(Bytes.utf8("/k"), Bytes.utf8("v"))));
        assertEquals(EtcdError.MEMBER_NOT_FOUND, refusal(cluster.member(other).server().removeMember(leaderId)));
    }

    @Test
    void moveLeaderHandsLeadershipToTheTargetAndRefusesWhatEtcdRefuses() throws Exception {
        cluster = LocalCluster.start(dir, 3, "move");
        int leader = cluster.awaitLeader();
        int target = (leader + 2) % 3;
        int follower = (leader + 1) % 3;
        long targetId = cluster.member(target).memberId();
        assertEquals(EtcdError.NOT_LEADER, refusal(cluster.member(follower).server().moveLeader(targetId)));
        assertEquals(EtcdError.BAD_LEADER_TRANSFEREE, refusal(cluster.member(leader).server().moveLeader(12345)));
        get(cluster.member(leader).server().moveLeader(targetId));
        assertEquals(targetId, get(cluster.member(follower).server().status()).leader() == targetId ? targetId
                : waitForLeader(cluster.member(follower).server(), targetId));
    }

    /**
     * Entries the leader appends while its target catches up (writes in flight, Ratis' commit entries) must not
     * make a move fail: it completes once the target leads, as etcd's MoveLeader does.
     */
    @Test
    void moveLeaderCompletesWhileWritesAreInFlight() throws Exception {
        cluster = LocalCluster.start(dir, 3, "movebusy");
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            for (long i = 0; writing.get(); i++) {
                try {
                    int leader = cluster.awaitLeader();
                    cluster.member(leader).server().put(PutRequest.of(Bytes.utf8("/busy/" + (i % 100)), Bytes.utf8("v" + i)))
                            .get(10, TimeUnit.SECONDS);
                    acknowledged.incrementAndGet();
                } catch (Exception refusedDuringTheMove) {
                    // a write refused while leadership moves is the client's to retry; only the move is under test
                }
            }
        });
        writer.start();
        try {
            for (int move = 0; move < 6; move++) {
                int leader = cluster.awaitLeader();
                int target = (leader + 1 + move % 2) % 3;
                long targetId = cluster.member(target).memberId();
                get(cluster.member(leader).server().moveLeader(targetId));
                assertEquals(targetId, cluster.member(target).server().status().get().leader(), "move " + move);
            }
        } finally {
            writing.set(false);
            writer.join();
        }
        assertTrue(acknowledged.get() > 0, "writes were acknowledged during the moves");
    }

    private static long waitForLeader(EtcdServer s, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long seen = 0;
        while (System.nanoTime() < deadline && (seen = get(s.status()).leader()) != expected) {
            Thread.sleep(50);
        }
        return seen;
    }

    @Test
    void badMembershipRequestsGetEtcdsErrorsAndChangeNothing() throws Exception {
        cluster = LocalCluster.start(dir, 3, "refuse");
        EtcdServer s = cluster.member(0).server();
        assertEquals(EtcdError.MEMBER_BAD_URLS, refusal(s.addMember(List.of("not a url"), false)));
        assertEquals(EtcdError.MEMBER_BAD_URLS, refusal(s.addMember(List.of(), false)));
        assertEquals(EtcdError.PEER_URL_EXIST, refusal(s.addMember(List.of(cluster.peerUrl(1)), false)));
        assertEquals(EtcdError.MEMBER_NOT_FOUND, refusal(s.removeMember(42)));
        assertEquals(EtcdError.MEMBER_NOT_FOUND, refusal(s.updateMember(42, List.of("http://127.0.0.1:9"))));
        assertEquals(EtcdError.MEMBER_NOT_LEARNER, refusal(s.promoteMember(cluster.member(1).memberId())));
        assertEquals(3, s.members().size());
        // etcd's strict reconfiguration check: a voter is added only while the started voters are a
        // quorum of the cluster it makes. 3 started: a 4th and a 5th may be added, a 6th not (quorum 4).
        get(s.addMember(List.of("http://127.0.0.1:9"), false));
        get(s.addMember(List.of("http://127.0.0.1:10"), false));
        assertEquals(EtcdError.MEMBER_NOT_ENOUGH_STARTED, refusal(s.addMember(List.of("http://127.0.0.1:11"), false)));
        assertEquals(5, s.members().size());
    }

    @Test
    void aOneMemberClusterMayGrowToTwoAsInEtcd() throws Exception {
        cluster = LocalCluster.start(dir, 1, "grow");
        EtcdServer s = cluster.member(0).server();
        // one started voter is not a quorum of two, but etcd lets a single member grow (e.g. after a restore)
        get(s.addMember(List.of("http://127.0.0.1:9"), false));
        // two voters, one started: a third would need two started
        assertEquals(EtcdError.MEMBER_NOT_ENOUGH_STARTED, refusal(s.addMember(List.of("http://127.0.0.1:10"), false)));
        assertEquals(2, s.members().size());
    }

    @Test
    void withoutStrictReconfigCheckAnAddThatLosesQuorumIsAccepted() throws Exception {
        cluster = LocalCluster.start(dir, 1, "loose", 1, "--strict-reconfig-check=false");
        EtcdServer s = cluster.member(0).server();
        get(s.addMember(List.of("http://127.0.0.1:9"), false));
        get(s.addMember(List.of("http://127.0.0.1:10"), false));
        assertEquals(3, s.members().size());
    }
}
