package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.PutResponse;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.server.EtcdMember;
import org.ketcd.server.config.ServerConfig;

/**
 * The client port while the gRPC endpoint restarts in a running member (its bundle updated): a client connecting
 * in between waits and is served by the next endpoint, instead of being refused.
 */
class EndpointHandOverTest {
    @TempDir
    Path dir;

    private static ByteSequence b(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void aClientConnectingWhileTheEndpointRestartsIsServedByTheNextOneNotRefused() throws Exception {
        int clientPort = org.ketcd.server.TestPorts.next();
        int peerPort = org.ketcd.server.TestPorts.next();
        String clientUrl = "http://127.0.0.1:" + clientPort;
        String peerUrl = "http://127.0.0.1:" + peerPort;
        ServerConfig config = ServerConfig.resolve(new String[] {"--data-dir", dir.resolve("d").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl, "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl}, Map.of(), Map.of());
        try (EtcdMember member = EtcdMember.start(config)) {
            GrpcEndpoint first = GrpcEndpoint.start(member.server(), config.listenClientUrls());
            try (Client before = Client.builder().endpoints(clientUrl).build()) {
                before.getKVClient().put(b("k"), b("1")).get(20, TimeUnit.SECONDS);
            }
            first.handOver();

            try (Socket waiting = new Socket("127.0.0.1", clientPort);
                 Client during = Client.builder().endpoints(clientUrl).build()) {
                assertTrue(waiting.isConnected(), "connected while no endpoint serves: waiting in the backlog");
                CompletableFuture<PutResponse> put = during.getKVClient().put(b("k"), b("2"));
                GrpcEndpoint next = GrpcEndpoint.start(member.server(), config.listenClientUrls());
                try {
                    put.get(20, TimeUnit.SECONDS);
                    assertEquals("2", during.getKVClient().get(b("k")).get(20, TimeUnit.SECONDS).getKvs().get(0)
                            .getValue().toString(StandardCharsets.UTF_8));
                } finally {
                    next.close();
                }
            }
            // closed for good (not handed over): nothing holds the port any more
            assertNull(HeldListeners.inThisJvm().take(new InetSocketAddress("127.0.0.1", clientPort)));
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", clientPort).close());
        }
    }
}
