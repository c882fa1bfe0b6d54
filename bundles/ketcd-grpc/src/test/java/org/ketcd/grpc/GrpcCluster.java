package org.ketcd.grpc;

import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.server.EtcdMember;
import org.ketcd.server.LocalCluster;

/**
 * A {@link LocalCluster} whose members each serve the etcd gRPC API on their client URL, with jetcd
 * clients bound to one member each (so a test chooses which member a request reaches). A member can
 * be stopped (its endpoint first) while the others run on.
 */
final class GrpcCluster implements AutoCloseable {
    private final LocalCluster cluster;
    private final List<GrpcEndpoint> endpoints = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();

    private GrpcCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * {@code size} members bootstrapped together, each started with the extra {@code flags} (those for the gRPC
     * server of the client URL, e.g. --max-concurrent-streams, apply to its endpoint).
     */
    static GrpcCluster start(Path dir, int size, String... flags) throws Exception {
        GrpcCluster c = new GrpcCluster(LocalCluster.start(dir, size, "grpc-cluster", size, flags));
        try {
            for (int i = 0; i < size; i++) {
                EtcdMember member = c.cluster.member(i);
                c.endpoints.add(GrpcEndpoint.start(member.server(), List.of(URI.create(c.clientUrl(i))), () -> null,
                        member.config().clientTls(), member.config().clientGrpcSettings()));
                c.clients.add(Client.builder().endpoints(c.clientUrl(i)).build());
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    LocalCluster cluster() {
        return cluster;
    }

    String clientUrl(int i) {
        return cluster.clientUrl(i);
    }

    EtcdMember member(int i) {
        return cluster.member(i);
    }

    /** The endpoint serving member {@code i}'s client URL. */
    GrpcEndpoint endpoint(int i) {
        return endpoints.get(i);
    }

    /** A jetcd client that talks to member {@code i} only. */
    Client client(int i) {
        return clients.get(i);
    }

    /** Index of the member that leads, as the running members agree, waiting at most 15 s. */
    int leader() throws Exception {
        return cluster.awaitLeader();
    }

    /** Stops member {@code i}: its endpoint first (its clients lose their streams), then the member. */
    void stop(int i) throws Exception {
        if (i < clients.size()) {
            clients.get(i).close();
        }
        if (i < endpoints.size() && endpoints.get(i) != null) {
            endpoints.set(i, null).close();
        }
        cluster.stopMember(i);
    }

    @Override
    public void close() throws Exception {
        clients.forEach(Client::close);
        for (GrpcEndpoint e : endpoints) {
            if (e != null) {
                e.close();
            }
        }
        cluster.close();
    }
}
