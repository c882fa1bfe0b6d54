package org.ketcd.api;

import java.io.IOException;
import java.util.List;

/**
 * The keys under one discovery token in an existing etcd-compatible cluster, as etcd's discovery
 * protocols use them to bootstrap a new cluster: a size key and one registration per member. The v2
 * protocol ({@code --discovery <url>}) reaches them over the v2 keys API, the v3 protocol
 * ({@code --discovery-token}, {@code --discovery-endpoints}) over the v3 KV API; the protocol itself
 * (who is in, who is too late) is the same for both and lives in the server.
 */
public interface DiscoveryKeyspace extends AutoCloseable {

    /** A member's registration: its id (hex), its {@code name=peerURL,...} value and when it was created. */
    record Registration(String memberId, String peers, long createdIndex) {
    }

    /**
     * The value of the size key, or null when it is not set. A transport failure or an error answer
     * from the discovery service is an IOException whose message is what etcd reports for it.
     */
    String size() throws IOException;

    /** Registers this member; false when a registration with this id exists already. */
    boolean register(String memberId, String peers) throws IOException;

    /** Every registration under the token, oldest first. */
    List<Registration> registrations() throws IOException;

    @Override
    void close();

    /** Opens the keyspace of a token in a v3 cluster ({@code --discovery-endpoints}); provided by the gRPC bundle. */
    interface V3Client {
        DiscoveryKeyspace open(List<String> endpoints, String token, long dialTimeoutMs, long requestTimeoutMs)
                throws IOException;
    }
}
