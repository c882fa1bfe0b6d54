package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Alarm;
import org.ketcd.api.AlarmType;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/**
 * --experimental-initial-corrupt-check: a member whose store holds other data than its peers' at the same
 * revision does not start; one that agrees with them does, and without the flag nothing is compared (etcd).
 * --experimental-corrupt-check-time: the leader finds such a member while it runs, raises the CORRUPT alarm for
 * it, and the cluster then refuses writes with etcd's "corrupt cluster" and still serves reads (etcd 3.4).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class InitialCorruptCheckTest {
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
    void aMemberWhoseStoreDiffersFromItsPeersAtTheSameRevisionDoesNotStart() throws Exception {
        cluster = LocalCluster.start(dir, 3, "corrupt", 3, "--experimental-initial-corrupt-check");
        EtcdServer leader = cluster.member(cluster.awaitLeader()).server();
        for (int i = 0; i < 20; i++) {
            leader.put(PutRequest.of(Bytes.utf8("/k" + i), Bytes.utf8("v" + i))).get(30, TimeUnit.SECONDS);
        }
        long revision = leader.status().get().revision();
        int checked = cluster.awaitLeader() == 2 ? 1 : 2;
        cluster.awaitAllAt(revision);
        cluster.stopMember(checked);

        cluster.startMember(checked); // same data as its peers: the check passes
        cluster.stopMember(checked);

        corruptNewestValue(cluster.dataDir(checked));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> cluster.startMember(checked));
        assertTrue(refused.getCause().getMessage().endsWith(" found data inconsistency with peers"), refused.getCause().toString());

        // etcd compares nothing without the flag: the member starts on its (corrupt) data
        cluster.startMember(checked, "--experimental-initial-corrupt-check=false");
        assertEquals(revision, cluster.member(checked).server().status().get().revision());
    }

    /** Rewrites the newest stored value behind the member's back, as a disk fault or a stray tool would. */
    private static void corruptNewestValue(Path dataDir) throws SQLException {
        String database = dataDir.resolve("member").resolve(EtcdMember.STORE_DIR).resolve("derby").toAbsolutePath().toString();
        try (Connection c = DriverManager.getConnection("jdbc:derby:" + database);
             PreparedStatement update = c.prepareStatement("UPDATE VAL SET V = ? WHERE MAIN = (SELECT MAX(MAIN) FROM VAL)")) {
            update.setBytes(1, "not what was written".getBytes(StandardCharsets.UTF_8));
            assertEquals(1, update.executeUpdate());
        }
        try {
            DriverManager.getConnection("jdbc:derby:" + database + ";shutdown=true");
        } catch (SQLException shutDown) {
            assertEquals("08006", shutDown.getSQLState(), shutDown.toString());
        }
    }

    @Test
    void theLeadersPeriodicCheckRaisesTheCorruptAlarmForADifferingMemberAndWritesAreRefused() throws Exception {
        cluster = LocalCluster.start(dir, 3, "corrupt", 3, "--experimental-corrupt-check-time=300ms");
        int leaderIndex = cluster.awaitLeader();
        EtcdServer leader = cluster.member(leaderIndex).server();
        for (int i = 0; i < 20; i++) {
            leader.put(PutRequest.of(Bytes.utf8("/k" + i), Bytes.utf8("v" + i))).get(30, TimeUnit.SECONDS);
        }
        long revision = leader.status().get().revision();
        int checked = leaderIndex == 2 ? 1 : 2;
        cluster.awaitAllAt(revision);
        long checkedId = cluster.member(checked).memberId();
        assertEquals(List.of(), leader.alarms(), "members that agree raise nothing");
        cluster.stopMember(checked);
        corruptNewestValue(cluster.dataDir(checked));
        cluster.startMember(checked);

        EtcdServer current = cluster.member(cluster.awaitLeader()).server();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (current.alarms().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(new Alarm(checkedId, AlarmType.CORRUPT)), current.alarms());
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> current.put(PutRequest.of(Bytes.utf8("/after"), Bytes.utf8("x"))).get(30, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof EtcdException e && e.error() == EtcdError.CORRUPT, refused.getCause().toString());
        assertEquals(1, current.range(RangeRequest.of(Bytes.utf8("/k0"), null)).get(30, TimeUnit.SECONDS).kvs().size(),
                "reads are still served");
    }
}
