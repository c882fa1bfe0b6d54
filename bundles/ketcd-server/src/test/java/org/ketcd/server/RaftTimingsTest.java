package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.DurationHistogram;
import org.ketcd.api.PutRequest;
import org.ketcd.api.ServerStats;

/**
 * What Ratis times, as /metrics reads it from a member's stats: every member's Raft log syncs (etcd's WAL fsyncs) in
 * etcd's disk buckets, and the leader's heartbeat round trips to each follower, by the follower's member ID, in etcd's
 * round-trip buckets (a follower measures none).
 */
@Timeout(120)
class RaftTimingsTest {
    @Test
    void everyMemberTimesItsLogSyncsAndTheLeaderItsRoundTripsToEachFollower(@TempDir Path dir) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, "raft-timings")) {
            int leader = cluster.awaitLeader();
            for (int i = 0; i < 5; i++) {
                cluster.member(i % 3).server().put(PutRequest.of(Bytes.utf8("timed/" + i), Bytes.utf8("v"))).get(10, TimeUnit.SECONDS);
            }
            Set<Long> followers = new java.util.HashSet<>();
            for (int i = 0; i < 3; i++) {
                if (i != leader) {
                    followers.add(cluster.member(i).memberId());
                }
            }
            // heartbeats go out every election timeout / 4 or so; wait for one answered by each follower
            ServerStats stats = cluster.member(leader).server().stats();
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                 !answeredByAll(stats.peerRoundTrips(), followers) && System.nanoTime() < deadline;
                 stats = cluster.member(leader).server().stats()) {
                Thread.sleep(50);
            }
            assertEquals(followers, stats.peerRoundTrips().keySet(), "the leader's round trips by follower");
            for (DurationHistogram.Snapshot trips : stats.peerRoundTrips().values()) {
                assertTrue(trips.count() > 0, "a follower never answered a heartbeat");
                assertEquals(DurationHistogram.ROUND_TRIP_BOUNDS_SECONDS[0], trips.bounds()[0], "round trips in etcd's peer buckets");
            }
            for (int i = 0; i < 3; i++) {
                ServerStats member = cluster.member(i).server().stats();
                assertTrue(member.walFsyncs().count() >= 1, "member " + i + " synced no Raft log entry");
                assertEquals(DurationHistogram.BOUNDS_SECONDS[0], member.walFsyncs().bounds()[0]);
                if (i != leader) {
                    assertEquals(Map.of(), member.peerRoundTrips(), "a follower's round trips");
                }
            }
        }
    }

    private static boolean answeredByAll(Map<Long, DurationHistogram.Snapshot> trips, Set<Long> followers) {
        return trips.keySet().containsAll(followers) && trips.values().stream().allMatch(t -> t.count() > 0);
    }
}
