package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/**
 * --snapshot-count: the leader snapshots and purges its log; a member that was down while the entries
 * it misses were purged catches up by installing the leader's snapshot, and keeps it across a restart.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SnapshotCatchUpTest {
    @TempDir
    Path dir;

    @Test
    void aMemberDownPastThePurgedLogCatchesUpFromTheLeadersSnapshot() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, "snap", 3, "--snapshot-count", "20")) {
            int leader = cluster.awaitLeader();
            int lagging = (leader + 1) % 3;
            EtcdServer s = cluster.member(leader).server();
            s.put(PutRequest.of(Bytes.utf8("/snap/first"), Bytes.utf8("x"))).get(20, TimeUnit.SECONDS);
            RaftNodeProbe before = RaftNodeProbe.of(cluster.member(lagging));
            cluster.stopMember(lagging);

            // 300 x 64 KiB: more than two 8 MiB log segments, so that whole segments can be purged.
            byte[] value = new byte[64 * 1024];
            long revision = 0;
            for (int i = 0; i < 300; i++) {
                value[0] = (byte) i;
                revision = s.put(PutRequest.of(Bytes.utf8("/snap/k" + i), value)).get(20, TimeUnit.SECONDS).revision();
            }
            long firstKept = RaftNodeProbe.of(cluster.member(leader)).firstLogIndex();
            assertTrue(firstKept > before.lastLogIndex() + 1,
                    "the leader purged the entries the stopped member misses: log starts at " + firstKept
                            + ", the member had up to " + before.lastLogIndex());

            long restartedAt = System.nanoTime();
            cluster.startMember(lagging);
            EtcdServer caughtUp = cluster.member(lagging).server();
            RangeRequest serializable = new RangeRequest(Bytes.utf8("/snap/k299"), Bytes.EMPTY, 0, 0, RangeRequest.SortOrder.NONE,
                    RangeRequest.SortTarget.KEY, true, false, false, 0, 0, 0, 0);
            while (caughtUp.range(serializable).get(20, TimeUnit.SECONDS).count() == 0) {
                assertTrue(System.nanoTime() - restartedAt < TimeUnit.SECONDS.toNanos(90), "not caught up within 90 s");
                Thread.sleep(100);
            }
            System.out.printf("caught up by snapshot %d ms after the restart began%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt));
            // Linearizable reads resume once Ratis has reloaded the state machine, at the leader's next notification.
            while (true) {
                try {
                    caughtUp.range(RangeRequest.of(Bytes.utf8("/snap/k299"), Bytes.EMPTY)).get(20, TimeUnit.SECONDS);
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(System.nanoTime() - restartedAt < TimeUnit.SECONDS.toNanos(90), "no linearizable read within 90 s: " + e);
                }
            }
            System.out.printf("linearizable reads %d ms after the restart began%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt));
            assertEquals(301, caughtUp.range(RangeRequest.of(Bytes.utf8("/snap/"), Bytes.prefixEnd(Bytes.utf8("/snap/"))))
                    .get(20, TimeUnit.SECONDS).count());
            assertEquals(s.hashKv(revision).get().hash(), caughtUp.hashKv(revision).get().hash(),
                    "same history as the leader at revision " + revision);

            cluster.stopMember(lagging);
            cluster.startMember(lagging);
            assertEquals(revision, cluster.member(lagging).server()
                    .range(RangeRequest.of(Bytes.utf8("/snap/k299"), Bytes.EMPTY)).get(20, TimeUnit.SECONDS).kvs().get(0).modRevision(),
                    "the installed snapshot survives a restart");
        }
    }

    /** The Raft log bounds of a running member. */
    record RaftNodeProbe(long firstLogIndex, long lastLogIndex) {
        static RaftNodeProbe of(EtcdMember m) {
            return new RaftNodeProbe(m.raftLogStart(), m.raftLogEnd());
        }
    }
}
