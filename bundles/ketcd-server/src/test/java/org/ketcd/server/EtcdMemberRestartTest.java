package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
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


    private ServerConfig config(String token) throws Exception {
        return config(token, TestPorts.next());
    }

    private ServerConfig config(String token, int peer) throws Exception {
        return ServerConfig.resolve(new String[] {"--name", "m1", "--data-dir", dir.resolve("m1.etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + TestPorts.next(), "--advertise-client-urls", "http://127.0.0.1:1",
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

    @Test
    void aMemberWhosePeerPortIsTakenFailsToStartWithTheBindErrorAndLeavesTheJvmRunning() throws Exception {
        int peer = TestPorts.next();
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        try (ServerSocket taken = new ServerSocket(peer, 1, InetAddress.getLoopbackAddress())) {
            System.setErr(new PrintStream(new OutputStream() { // the test logger writes to System.err
                @Override
                public void write(int b) {
                    stderr.write(b);
                    logged.write(b);
                }
            }, true));
            Exception e = assertThrows(Exception.class, () -> EtcdMember.start(config("token-a", peer)).close());
            String message = String.valueOf(e.getMessage()) + " / " + String.valueOf(e.getCause());
            assertTrue(message.contains("listen tcp 127.0.0.1:" + peer + ": bind: address already in use"), message); // etcd's words
        } finally {
            System.setErr(stderr);
        }
        // the bind error is the member's to report, once: Ratis, which logs its own as stack traces, never meets it
        assertFalse(logged.toString().contains("\tat "), logged::toString);
        // Ratis would have called System.exit here before; the JVM is alive and the port can now be served.
        try (EtcdMember m = EtcdMember.start(config("token-a", peer))) {
            assertEquals(1, m.server().put(PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v"))).get(20, TimeUnit.SECONDS).revision() - 1);
        }
    }
}
