package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/** Static bootstrap: the token decides the cluster, and a member with the wrong one fails fast. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterBootstrapTest {
    @TempDir
    Path dir;

    @Test
    void aMemberBootstrappedWithAnotherTokenRefusesToStartAndForgetsTheBootstrap() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, "right-token", 2)) {
            cluster.member(0).server().put(PutRequest.of(Bytes.utf8("/k"), Bytes.utf8("v"))).get(20, TimeUnit.SECONDS);

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> cluster.startMember(2, "--initial-cluster-token", "wrong-token"));
            assertInstanceOf(PeerCheck.ClusterMismatchException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("cluster ID mismatch: peers [m1, m2] belong to another cluster"),
                    e.getCause().getMessage());
            assertFalse(Files.exists(cluster.dataDir(2).resolve("member").resolve("identity.properties")),
                    "a refused bootstrap leaves no identity behind");

            // Started again with the right token, the same data dir bootstraps and catches up.
            cluster.startMember(2);
            var kvs = cluster.member(2).server().range(RangeRequest.of(Bytes.utf8("/k"), Bytes.EMPTY)).get(20, TimeUnit.SECONDS).kvs();
            assertArrayEquals(Bytes.utf8("v"), kvs.get(0).value());
        }
    }
}
