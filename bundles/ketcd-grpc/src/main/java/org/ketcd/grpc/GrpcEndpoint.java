package org.ketcd.grpc;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.EtcdServer;

/**
 * The etcd v3 gRPC API on the client URLs. Messages up to {@code --max-request-bytes} plus etcd's
 * 512 KiB gRPC overhead are accepted by the transport; the server refuses commands over the limit
 * with "etcdserver: request is too large", as etcd does.
 */
public final class GrpcEndpoint implements AutoCloseable {
    /** etcd's grpcOverheadBytes: transport headroom above --max-request-bytes. */
    static final int GRPC_OVERHEAD_BYTES = 512 * 1024;
    /** How long close() lets in-flight calls finish before cutting them. */
    static final int SHUTDOWN_GRACE_SECONDS = 5;

    private final List<Server> servers;

    private GrpcEndpoint(List<Server> servers) {
        this.servers = servers;
    }

    public static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls) throws IOException {
        List<Server> started = new ArrayList<>();
        try {
            for (URI url : listenClientUrls) {
                Server s = NettyServerBuilder.forAddress(new InetSocketAddress(url.getHost(), url.getPort()))
                        .maxInboundMessageSize(server.maxRequestBytes() + GRPC_OVERHEAD_BYTES)
                        .addService(new KvService(server))
                        .addService(new MaintenanceService(server))
                        .addService(new ClusterService(server))
                        .build()
                        .start();
                started.add(s);
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(Server::shutdownNow);
            throw new IOException("cannot listen on " + listenClientUrls + ": " + e.getMessage(), e);
        }
        return new GrpcEndpoint(started);
    }

    /** The bound ports, in the order of the listen URLs (useful when a URL asked for port 0). */
    public List<Integer> ports() {
        return servers.stream().map(Server::getPort).toList();
    }

    @Override
    public void close() {
        servers.forEach(Server::shutdown);
        for (Server s : servers) {
            try {
                if (!s.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                }
            } catch (InterruptedException e) {
                s.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
