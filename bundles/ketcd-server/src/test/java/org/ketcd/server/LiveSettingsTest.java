package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.PutRequest;

/**
 * A running member takes a changed quota and auto-compaction at once, without a restart: the next write is held to
 * the new quota (etcd's NOSPACE when it no longer fits), and the stats read the new value.
 */
@Timeout(120)
class LiveSettingsTest {
    @Test
    void aChangedQuotaHoldsTheNextWriteWithoutARestart(@TempDir Path dir) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 1, "live-settings")) {
            cluster.awaitLeader();
            EtcdMember member = cluster.member(0);
            member.server().put(PutRequest.of(Bytes.utf8("before"), Bytes.utf8("fits"))).get(10, TimeUnit.SECONDS);
            long started = member.server().stats().memberId();

            member.applyLiveSettings(cluster.config(0, "--quota-backend-bytes=1", "--auto-compaction-mode=revision",
                    "--auto-compaction-retention=10"));
            assertEquals(1, member.server().stats().quotaBackendBytes());
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> member.server().put(PutRequest.of(Bytes.utf8("after"), Bytes.utf8("does not fit"))).get(10, TimeUnit.SECONDS));
            assertEquals(EtcdError.NO_SPACE, ((EtcdException) refused.getCause()).error(), refused::toString);
            assertEquals(started, member.server().stats().memberId(), "the same member serves");

            member.applyLiveSettings(cluster.config(0));
            assertEquals(org.ketcd.server.config.ServerConfig.DEFAULT_QUOTA_BYTES, member.server().stats().quotaBackendBytes());
        }
    }
}
