package org.ketcd.raft;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.ketcd.api.FatalErrorHandler;

/**
 * Everything the Raft node needs: this member, the group (whose id derives from the cluster token),
 * the log directory, etcd's timing flags in milliseconds, --snapshot-count, and the service answering
 * peers' probes, how members reach each other (plain text or TLS), and what to do when Raft fails for good ({@code fatal}). {@code listenAddress} is the host:port the
 * Raft transport binds (from --listen-peer-urls); {@code self.address} is what the others dial.
 */
public record RaftSettings(RaftPeerSpec self, String listenAddress, List<RaftPeerSpec> peers, UUID groupId, Path logDir,
                           int heartbeatIntervalMs, int electionTimeoutMs, long snapshotCount,
                           PeerService peerService, PeerTransport transport, FatalErrorHandler fatal) {
}
