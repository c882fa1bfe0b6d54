package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/**
 * etcd's --force-new-cluster: when a cluster lost its quorum for good, one surviving member restarted with the flag
 * is the only member of the same cluster, with every key, revision and lease it had, and takes writes again.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ForceNewClusterTest {
    @TempDir
    Path dir;
    private LocalCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aSurvivorRestartedWithTheFlagServesAloneWithItsDataAndTakesWrites() throws Exception {
        cluster = LocalCluster.start(dir, 3, "force", 3);
        EtcdServer leader = cluster.member(cluster.awaitLeader()).server();
        long lease = leader.leaseGrant(3600, 0).get(30, TimeUnit.SECONDS).id();
        for (int i = 0; i < 50; i++) {
            leader.put(new PutRequest(Bytes.utf8("/k" + i), Bytes.utf8("v" + i), i == 0 ? lease : 0, false, false, false))
                    .get(30, TimeUnit.SECONDS);
        }
        long revision = leader.status().get().revision();
        int survivor = 1;
        long survivorId = cluster.member(survivor).memberId();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.member(survivor).server().status().get().revision() < revision && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (int i = 0; i < 3; i++) {
            cluster.stopMember(i); // the quorum is gone for good
        }

        cluster.startMember(survivor, "--force-new-cluster");
        EtcdServer alone = cluster.member(survivor).server();
        assertEquals(List.of(survivorId), alone.members().stream().map(m -> m.id()).toList());
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (alone.status().get().leader() != survivorId && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(survivorId, alone.status().get().leader(), "it elects itself");
        assertEquals(revision, alone.status().get().revision(), "every revision is kept");
        assertEquals(50, alone.range(RangeRequest.of(Bytes.utf8("/k"), Bytes.utf8("/l"))).get(30, TimeUnit.SECONDS).count());
        assertEquals(List.of(lease), alone.leases().get(30, TimeUnit.SECONDS));
        assertEquals(revision + 1, alone.put(PutRequest.of(Bytes.utf8("/after"), Bytes.utf8("x"))).get(30, TimeUnit.SECONDS)
                .revision(), "it takes writes again");
        assertTrue(!Files.exists(cluster.dataDir(survivor).resolve("member").resolve(ForceNewCluster.MARKER)));

        // a later plain restart keeps the one-member cluster and its data
        cluster.stopMember(survivor);
        cluster.startMember(survivor);
        assertEquals(revision + 1, cluster.member(survivor).server().status().get().revision());
        assertEquals(1, cluster.member(survivor).server().members().size());
    }
}
