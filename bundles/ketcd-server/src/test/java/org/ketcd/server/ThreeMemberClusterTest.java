package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.KeyValue;
import org.ketcd.api.Member;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.StatusResponse;

/** Statically bootstrapped clusters (3 members, one of 5, one of 7) in one JVM: writes anywhere, reads anywhere, leader loss, quorum. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ThreeMemberClusterTest {
    @TempDir
    Path dir;
    private LocalCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static long put(EtcdServer s, String key, String value) throws Exception {
        return s.put(PutRequest.of(Bytes.utf8(key), Bytes.utf8(value))).get(20, TimeUnit.SECONDS).revision();
    }

    private static KeyValue get(EtcdServer s, String key, boolean serializable) throws Exception {
        RangeRequest r = RangeRequest.of(Bytes.utf8(key), Bytes.EMPTY);
        if (serializable) {
            r = new RangeRequest(r.key(), r.rangeEnd(), 0, 0, r.sortOrder(), r.sortTarget(), true, false, false, 0, 0, 0, 0);
        }
        var kvs = s.range(r).get(20, TimeUnit.SECONDS).kvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    @Test
    void aWriteOnAnyMemberIsSeenByALinearizableReadOnEveryMember() throws Exception {
        cluster = LocalCluster.start(dir, 3, "three");
        long lastRevision = 0;
        for (int writer = 0; writer < 3; writer++) {
            long rev = put(cluster.member(writer).server(), "/k", "from-" + writer);
            assertTrue(rev > lastRevision, "revisions grow across members");
            lastRevision = rev;
            for (int reader = 0; reader < 3; reader++) {
                KeyValue kv = get(cluster.member(reader).server(), "/k", false);
                assertArrayEquals(Bytes.utf8("from-" + writer), kv.value(), "member " + reader + " after write on " + writer);
                assertEquals(rev, kv.modRevision());
            }
        }
    }

    /**
     * A write made through a follower is answered once that follower applied it, so the follower must learn the
     * new commit index from the leader at once, not with the next heartbeat (every quarter of an election
     * timeout; 1.5 s here): ten writes, one after another, through a follower and then serializable reads there
     * take less than one heartbeat interval together.
     */
    @Test
    void aFollowerLearnsEachCommitWithoutWaitingForTheNextHeartbeat() throws Exception {
        cluster = LocalCluster.start(dir, 3, "announce", 3, "--election-timeout", "6000", "--heartbeat-interval", "500");
        int follower = (cluster.awaitLeader() + 1) % 3;
        EtcdServer s = cluster.member(follower).server();
        put(s, "/warm", "up");
        long heartbeatIntervalNanos = TimeUnit.MILLISECONDS.toNanos(6000 / 4);
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            put(s, "/k" + i, "v" + i);
            assertArrayEquals(Bytes.utf8("v" + i), get(s, "/k" + i, true).value(), "the follower applied write " + i);
        }
        long took = System.nanoTime() - start;
        assertTrue(took < heartbeatIntervalNanos, "10 writes through a follower took " + TimeUnit.NANOSECONDS.toMillis(took)
                + " ms, more than one heartbeat interval");
    }

    @Test
    void everyMemberReportsTheSameLeaderTermAndClusterInItsStatus() throws Exception {
        cluster = LocalCluster.start(dir, 3, "status");
        int leader = cluster.awaitLeader();
        put(cluster.member(0).server(), "/s", "v");
        Set<Long> memberIds = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            EtcdServer s = cluster.member(i).server();
            get(s, "/s", false); // a linearizable read: this member has applied the write
            StatusResponse st = s.status().get();
            assertEquals(cluster.member(leader).memberId(), st.leader(), "leader seen by member " + i);
            assertTrue(st.raftAppliedIndex() > 0 && st.raftIndex() >= st.raftAppliedIndex(), st.toString());
            assertEquals(cluster.member(leader).server().status().get().raftTerm(), st.raftTerm());
            assertEquals(cluster.member(0).server().header(0).clusterId(), s.header(0).clusterId());
            assertEquals(3, s.members().size());
            memberIds.add(cluster.member(i).memberId());
        }
        assertEquals(3, memberIds.size(), "members have distinct ids");
    }

    @Test
    void everyMemberListsEveryMemberWithTheClientUrlsItAdvertises() throws Exception {
        cluster = LocalCluster.start(dir, 3, "publish");
        for (int i = 0; i < 3; i++) {
            EtcdServer s = cluster.member(i).server();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (s.members().stream().anyMatch(m -> m.clientUrls().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            for (int j = 0; j < 3; j++) {
                long id = cluster.member(j).memberId();
                Member listed = s.members().stream().filter(m -> m.id() == id).findFirst().orElseThrow();
                assertEquals("m" + (j + 1), listed.name());
                assertEquals(List.of(cluster.peerUrl(j)), listed.peerUrls());
                assertEquals(cluster.member(j).config().advertiseClientUrls().stream().map(Object::toString).toList(),
                        listed.clientUrls(), "member " + i + " lists member " + j);
            }
        }
    }

    @Test
    void whenTheLeaderStopsAnotherIsElectedAndNoAcknowledgedWriteIsLost() throws Exception {
        cluster = LocalCluster.start(dir, 3, "failover");
        int leader = cluster.awaitLeader();
        int follower = (leader + 1) % 3;
        long rev = put(cluster.member(follower).server(), "/before", "1");
        cluster.awaitAllAt(rev);
        long oldLeaderId = cluster.member(leader).memberId();
        cluster.stopMember(leader);
        int newLeader = cluster.awaitLeader();
        assertNotEquals(oldLeaderId, cluster.member(newLeader).memberId());
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                assertEquals(rev, get(cluster.member(i).server(), "/before", false).modRevision());
                put(cluster.member(i).server(), "/after-" + i, "2");
            }
        }
        cluster.startMember(leader);
        KeyValue caughtUp = get(cluster.member(leader).server(), "/after-" + follower, false);
        assertArrayEquals(Bytes.utf8("2"), caughtUp.value(), "the restarted member caught up");
    }

    /**
     * etcd's graceful stop of a leader: it hands its leadership to another voter before it stops, so that the
     * cluster never waits an election timeout for a leader that is gone.
     */
    @Test
    void aLeaderThatStopsHandsItsLeadershipToAnotherMemberBeforeItIsGone() throws Exception {
        cluster = LocalCluster.start(dir, 3, "hand-off");
        int leader = cluster.awaitLeader();
        long rev = put(cluster.member(leader).server(), "/before", "1");
        cluster.awaitAllAt(rev);
        long oldLeaderId = cluster.member(leader).memberId();
        cluster.stopMember(leader);
        Set<Long> selfLeaders = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                StatusResponse s = cluster.member(i).server().status().get(20, TimeUnit.SECONDS);
                if (s.leader() == cluster.member(i).memberId()) {
                    selfLeaders.add(s.leader());
                }
            }
        }
        assertEquals(1, selfLeaders.size(), "when the old leader's stop returned, one of the others led already");
        assertNotEquals(oldLeaderId, selfLeaders.iterator().next());
        put(cluster.member((leader + 1) % 3).server(), "/after", "2");
    }

    @Test
    void withoutQuorumSerializableReadsAreServedLocallyAndWritesFail() throws Exception {
        cluster = LocalCluster.start(dir, 3, "quorum");
        put(cluster.member(0).server(), "/q", "v");
        get(cluster.member(2).server(), "/q", false);
        cluster.stopMember(0);
        cluster.stopMember(1);
        EtcdServer alone = cluster.member(2).server();
        assertArrayEquals(Bytes.utf8("v"), get(alone, "/q", true).value());
        var write = alone.put(PutRequest.of(Bytes.utf8("/q"), Bytes.utf8("lost")));
        var failure = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> write.get(30, TimeUnit.SECONDS));
        assertTrue(failure.getCause().getMessage().startsWith("etcdserver: "), failure.getCause().toString());
    }

    /**
     * etcd's check-quorum: a leader that no longer hears from a majority steps down, and then renews no lease
     * (a lock or a leadership held through it must not outlive the holder's cut-off). Ratis reports a step-down
     * without a new leader only through notifyNotLeader; before that was heeded, the lone ex-leader kept
     * answering keep-alives from its own lessor.
     */
    @Test
    void aLeaderThatLostItsMajorityStopsRenewingLeases() throws Exception {
        cluster = LocalCluster.start(dir, 3, "check-quorum");
        int leader = cluster.awaitLeader();
        EtcdServer s = cluster.member(leader).server();
        long lease = s.leaseGrant(30, 0).get(20, TimeUnit.SECONDS).id();
        assertTrue(s.leaseKeepAlive(lease).get(20, TimeUnit.SECONDS).ttl() > 0);
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                cluster.stopMember(i);
            }
        }
        Thread.sleep(3000); // three election timeouts: the leader has stepped down
        var renewal = s.leaseKeepAlive(lease);
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> renewal.get(30, TimeUnit.SECONDS).ttl(), "a leader without a majority renewed a lease");
        assertTrue(String.valueOf(refused.getCause()).contains("etcdserver: "), String.valueOf(refused.getCause()));
    }

    /**
     * A leader cut off from both followers steps down. When one follower comes back, the two must elect a leader
     * within an election timeout or two, as etcd members do, so that a write sent then succeeds. Ratis kept a
     * leader that stepped down for lost heartbeats from campaigning for its "step-down wait time" (10 s by
     * default); when that member holds the longest log nobody else can win, so writes failed with "etcdserver:
     * no leader" for up to 10 s after the majority was back.
     */
    @Test
    void aWriteSucceedsOnceAFollowerReturnsToALeaderThatSteppedDown() throws Exception {
        cluster = LocalCluster.start(dir, 3, "step-down-wait");
        int leader = cluster.awaitLeader();
        EtcdServer s = cluster.member(leader).server();
        int returning = (leader + 1) % 3;
        cluster.stopMember(returning);
        cluster.stopMember((leader + 2) % 3);
        // Appended by the leader alone before it steps down: its log is now the longest, so it has to lead again.
        var alone = s.put(PutRequest.of(Bytes.utf8("/appended-alone"), Bytes.utf8("x")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (s.status().get(10, TimeUnit.SECONDS).leader() != 0) {
            assertTrue(System.nanoTime() < deadline, "the leader did not step down within 30 s of losing both followers");
            Thread.sleep(20);
        }
        // The write is sent as the follower starts (starting takes a few seconds: the store opens, Raft starts), and
        // must be committed within its 7 s request timeout.
        long sent = System.nanoTime();
        var restart = java.util.concurrent.CompletableFuture.runAsync(() -> cluster.startMember(returning));
        var put = s.put(PutRequest.of(Bytes.utf8("/after-return"), Bytes.utf8("y")));
        long revision = put.get(30, TimeUnit.SECONDS).revision();
        long committed = System.nanoTime();
        restart.get(60, TimeUnit.SECONDS);
        System.out.printf("[step-down-wait] the write sent as the follower started was committed after %d ms (revision %d);"
                        + " the write appended alone: %s%n", TimeUnit.NANOSECONDS.toMillis(committed - sent), revision,
                alone.handle((r, e) -> e == null ? "committed" : String.valueOf(e.getMessage())).getNow("pending"));
    }

    /** A request that reaches a member after it stopped (a client still holding it) fails at once, as etcd's "server stopped". */
    @Test
    void requestsToAStoppedMemberFailWithServerStoppedInsteadOfWaiting() throws Exception {
        cluster = LocalCluster.start(dir, 3, "stopped-member");
        int leader = cluster.awaitLeader();
        int follower = (leader + 1) % 3;
        EtcdServer stopped = cluster.member(follower).server();
        EtcdServer stoppedLeader = cluster.member(leader).server();
        cluster.stopMember(follower);
        cluster.stopMember(leader);
        for (EtcdServer s : List.of(stopped, stoppedLeader)) {
            var write = s.put(PutRequest.of(Bytes.utf8("/stopped"), Bytes.utf8("x")));
            java.util.concurrent.ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> write.get(20, TimeUnit.SECONDS),
                    "a write to a stopped member did not fail within 20 s");
            assertTrue(String.valueOf(failed.getCause()).contains("etcdserver: "), String.valueOf(failed.getCause()));
            var read = s.range(org.ketcd.api.RangeRequest.of(Bytes.utf8("/stopped"), Bytes.EMPTY));
            failed = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> read.get(20, TimeUnit.SECONDS), "a linearizable read from a stopped member did not fail within 20 s");
            assertTrue(String.valueOf(failed.getCause()).contains("etcdserver: "), String.valueOf(failed.getCause()));
        }
    }

    @Test
    void fiveMembersKeepServingWithTwoDownAndStopWritingWithThreeDown() throws Exception {
        cluster = LocalCluster.start(dir, 5, "five");
        long rev = put(cluster.member(4).server(), "/five", "a");
        cluster.awaitAllAt(rev);
        cluster.stopMember(0);
        cluster.stopMember(1);
        assertTrue(put(cluster.member(2).server(), "/five", "b") > rev, "3 of 5 are a quorum");
        assertArrayEquals(Bytes.utf8("b"), get(cluster.member(4).server(), "/five", false).value());
        cluster.stopMember(2);
        var write = cluster.member(3).server().put(PutRequest.of(Bytes.utf8("/five"), Bytes.utf8("c")));
        org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> write.get(30, TimeUnit.SECONDS), "2 of 5 are no quorum");
        assertArrayEquals(Bytes.utf8("b"), get(cluster.member(4).server(), "/five", true).value());
    }

    @Test
    void sevenMembersKeepServingWithTheLeaderAndTwoOthersDownAndStopWritingWithFourDown() throws Exception {
        cluster = LocalCluster.start(dir, 7, "seven");
        long rev = put(cluster.member(6).server(), "/seven", "a");
        cluster.awaitAllAt(rev);
        int leader = cluster.awaitLeader();
        cluster.stopMember(leader);
        List<Integer> up = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            if (i != leader) {
                up.add(i);
            }
        }
        cluster.stopMember(up.remove(0));
        cluster.stopMember(up.remove(0));
        assertTrue(put(cluster.member(up.get(0)).server(), "/seven", "b") > rev, "4 of 7 are a quorum, with a new leader");
        for (int i : up) {
            assertArrayEquals(Bytes.utf8("b"), get(cluster.member(i).server(), "/seven", false).value(), "member " + i);
        }
        cluster.stopMember(up.remove(0));
        var write = cluster.member(up.get(0)).server().put(PutRequest.of(Bytes.utf8("/seven"), Bytes.utf8("c")));
        org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> write.get(30, TimeUnit.SECONDS), "3 of 7 are no quorum");
        assertArrayEquals(Bytes.utf8("b"), get(cluster.member(up.get(1)).server(), "/seven", true).value());
    }

    @Test
    void linearizableReadsUnderLoadSurviveLeaderChanges() throws Exception {
        cluster = LocalCluster.start(dir, 3, "reads");
        put(cluster.member(0).server(), "/r", "v");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> readers = new java.util.ArrayList<>();
        for (int t = 0; t < 6; t++) {
            EtcdServer s = cluster.member(t % 3).server();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        // many reads in flight, so read-index rounds complete while the leadership moves
                        List<java.util.concurrent.CompletableFuture<?>> inFlight = new java.util.ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            inFlight.add(s.range(RangeRequest.of(Bytes.utf8("/r"), Bytes.EMPTY)));
                        }
                        for (var f : inFlight) {
                            f.get(30, TimeUnit.SECONDS);
                            answered.incrementAndGet();
                        }
                    } catch (Exception e) {
                        // a read may time out while there is no leader; the check below is that reads resume
                    }
                }
            });
            reader.start();
            readers.add(reader);
        }
        for (int move = 0; move < 4; move++) {
            Thread.sleep(700);
            int leader = cluster.awaitLeader();
            long target = cluster.member((leader + 1) % 3).memberId();
            cluster.member(leader).server().moveLeader(target).get(30, TimeUnit.SECONDS);
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join(60_000);
            assertTrue(!reader.isAlive(), "a reader is stuck");
        }
        assertTrue(answered.get() > 0);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(Bytes.utf8("v"), get(cluster.member(i).server(), "/r", false).value(), "member " + i + " answers");
        }
    }
}
