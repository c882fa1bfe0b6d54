package org.ketcd.grpc;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ketcd.server.EtcdMember;
import org.ketcd.server.config.ServerConfig;

/**
 * Members in this JVM, each serving gRPC on its loopback client URL, bootstrapped together as with
 * etcd's --initial-cluster. A member can be stopped (its endpoint first) while the others run on.
 */
final class GrpcCluster implements AutoCloseable {
    private final List<String> clientUrls = new ArrayList<>();
    private final List<EtcdMember> members = new ArrayList<>();
    private final List<GrpcEndpoint> endpoints = new ArrayList<>();

    static GrpcCluster start(Path dir, int size, String... flags) throws Exception {
        GrpcCluster c = new GrpcCluster();
        List<Integer> ports = freePorts(2 * size);
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            c.clientUrls.add("http://127.0.0.1:" + ports.get(2 * i));
            peers.add("m" + i + "=http://127.0.0.1:" + ports.get(2 * i + 1));
            c.members.add(null);
            c.endpoints.add(null);
        }
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            List<String> args = new ArrayList<>(List.of("--name", "m" + i, "--data-dir", dir.resolve("m" + i).toString(),
                    "--listen-client-urls", c.clientUrls.get(i), "--advertise-client-urls", c.clientUrls.get(i),
                    "--listen-peer-urls", peers.get(i).substring(3), "--initial-advertise-peer-urls", peers.get(i).substring(3),
                    "--initial-cluster", String.join(",", peers)));
            args.addAll(List.of(flags));
            ServerConfig config = ServerConfig.resolve(args.toArray(String[]::new), Map.of(), Map.of());
            int index = i;
            starts.add(CompletableFuture.runAsync(() -> {
                try {
                    c.members.set(index, EtcdMember.start(config));
                    c.endpoints.set(index, GrpcEndpoint.start(c.members.get(index).server(), config.listenClientUrls()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static List<Integer> freePorts(int n) throws Exception {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) { // all open at once, so no port is handed out twice
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    String clientUrl(int i) {
        return clientUrls.get(i);
    }

    EtcdMember member(int i) {
        return members.get(i);
    }

    /** Index of the member that leads, as member 0..n agree, waiting at most 15 s. */
    int leader() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < members.size(); i++) {
                EtcdMember m = members.get(i);
                if (m != null && m.server().status().get().leader() == m.memberId()) {
                    return i;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no leader within 15 s");
    }

    /** Stops member {@code i}: its clients lose their streams, the others keep quorum. */
    void stop(int i) throws Exception {
        GrpcEndpoint e = endpoints.set(i, null);
        EtcdMember m = members.set(i, null);
        if (e != null) {
            e.close();
        }
        if (m != null) {
            m.close();
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < members.size(); i++) {
            stop(i);
        }
    }
}
