package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.server.config.ServerConfig;

class EtcdMemberRestartTest {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ServerConfig config(String token) throws Exception {
        int peer = freePort();
        return ServerConfig.resolve(new String[] {"--name", "m1", "--data-dir", dir.resolve("m1.etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + freePort(), "--advertise-client-urls", "http://127.0.0.1:1",
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "m1=http://127.0.0.1:" + peer, "--initial-cluster-token", token}, Map.of(), Map.of());
    }

    @Test
    void aRestartedMemberKeepsEveryWriteItsRevisionsAndItsIdentity() throws Exception {
        ServerConfig first = config("token-a");
        long memberId;
        long lastRevision = 0;
        try (EtcdMember m = EtcdMember.start(first)) {
            memberId = m.memberId();
            for (int i = 0; i < 50; i++) {
                lastRevision = m.server().put(PutRequest.of(Bytes.utf8("k" + i), Bytes.utf8("v" + i))).get(20, TimeUnit.SECONDS).revision();
            }
        }
        // Different --initial-* flags on restart are ignored: the stored identity wins, as in etcd.
        try (EtcdMember m = EtcdMember.start(config("token-b"))) {
            EtcdServer s = m.server();
            assertEquals(memberId, m.memberId());
            RangeResponse all = s.range(RangeRequest.of(Bytes.utf8("k"), Bytes.prefixEnd(Bytes.utf8("k")))).get(20, TimeUnit.SECONDS);
            assertEquals(50, all.count());
            assertEquals(lastRevision, all.revision());
            RangeResponse k7 = s.range(RangeRequest.of(Bytes.utf8("k7"), Bytes.EMPTY)).get(20, TimeUnit.SECONDS);
            assertArrayEquals(Bytes.utf8("v7"), k7.kvs().get(0).value());
            long next = s.put(PutRequest.of(Bytes.utf8("after"), Bytes.utf8("restart"))).get(20, TimeUnit.SECONDS).revision();
            assertEquals(lastRevision + 1, next);
            assertTrue(s.status().get().raftAppliedIndex() > 0);
        }
    }
}
