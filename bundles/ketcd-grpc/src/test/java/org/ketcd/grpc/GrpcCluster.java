package org.ketcd.grpc;

import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.server.LocalCluster;

/**
 * A {@link LocalCluster} whose members each serve the etcd gRPC API on their client URL, with jetcd
 * clients bound to one member each (so a test chooses which member a request reaches).
 */
final class GrpcCluster implements AutoCloseable {
    private final LocalCluster cluster;
    private final List<GrpcEndpoint> endpoints = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();

    private GrpcCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    static GrpcCluster start(Path dir, int size, String token) throws Exception {
        GrpcCluster c = new GrpcCluster(LocalCluster.start(dir, size, token));
        try {
            for (int i = 0; i < size; i++) {
                c.endpoints.add(GrpcEndpoint.start(c.cluster.member(i).server(), List.of(URI.create(c.cluster.clientUrl(i)))));
                c.clients.add(Client.builder().endpoints(c.cluster.clientUrl(i)).build());
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

    /** A jetcd client that talks to member {@code i} only. */
    Client client(int i) {
        return clients.get(i);
    }

    int awaitLeader() throws Exception {
        return cluster.awaitLeader();
    }

    /** Stops member {@code i} and its endpoint, as a crash would end both. */
    void stopMember(int i) throws Exception {
        clients.get(i).close();
        endpoints.get(i).close();
        cluster.stopMember(i);
    }

    @Override
    public void close() throws Exception {
        clients.forEach(Client::close);
        for (GrpcEndpoint e : endpoints) {
            e.close();
        }
        cluster.close();
    }
}
