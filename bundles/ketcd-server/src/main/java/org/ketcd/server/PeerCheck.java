package org.ketcd.server;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ketcd.raft.PeerService;
import org.ketcd.raft.PeerTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, while a member waits for its first leader, that the peers listed in its bootstrap
 * configuration belong to its cluster. A peer answering with another cluster id was bootstrapped
 * with another {@code --initial-cluster-token} or member list. If so many peers disagree that the
 * members agreeing with this one can no longer form a quorum, this member is the odd one out and
 * refuses to start (etcd would only log "cluster ID mismatch" forever); otherwise it names the
 * disagreeing peer in its log and goes on.
 */
final class PeerCheck {

    /** This member's bootstrap configuration disagrees with its peers'. */
    static final class ClusterMismatchException extends IllegalStateException {
        ClusterMismatchException(String message) {
            super(message);
        }
    }

    /** Pause between two probe rounds. */
    static final long PROBE_INTERVAL_MS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(PeerCheck.class);

    private final MemberIdentity self;
    private final PeerTransport transport;
    private final Set<Long> confirmed = new HashSet<>();
    private final Set<Long> disagreeing = new HashSet<>();
    private final Set<String> tlsFailures = new HashSet<>();

    PeerCheck(MemberIdentity self, PeerTransport transport) {
        this.self = self;
        this.transport = transport;
    }

    /** Probes each peer not yet heard from; throws when this member cannot belong to a quorum. */
    void probe() {
        for (MemberIdentity.ClusterMember peer : self.members()) {
            if (peer.id() == self.memberId() || confirmed.contains(peer.id()) || disagreeing.contains(peer.id())) {
                continue;
            }
            URI url = peer.peerUrls().get(0);
            PeerService.Answer answer;
            try {
                answer = transport.probeReportingTls(url.getHost() + ":" + url.getPort());
            } catch (PeerService.TlsRefused e) {
                // as etcd's "rejected connection" lines; once per peer and reason, the probe repeats
                if (tlsFailures.add(peer.id() + " " + e.getMessage())) {
                    LOG.warn("TLS with peer {} at {} failed ({}): check --peer-cert-file, --peer-trusted-ca-file and"
                            + " --peer-cert-allowed-cn/-hostname on both members", peer.name(), url, e.getMessage());
                }
                continue;
            }
            if (answer == null) {
                continue; // not up yet
            }
            if (answer.clusterId() == self.clusterId()) {
                confirmed.add(peer.id());
            } else {
                disagreeing.add(peer.id());
                LOG.error("peer {} at {} belongs to cluster {} (member {} \"{}\"), this member to cluster {}: "
                        + "check --initial-cluster and --initial-cluster-token", peer.name(), url,
                        Long.toHexString(answer.clusterId()), Long.toHexString(answer.memberId()), answer.name(),
                        Long.toHexString(self.clusterId()));
            }
        }
        int size = self.members().size();
        int quorum = size / 2 + 1;
        if (size - disagreeing.size() < quorum) {
            List<String> names = new ArrayList<>();
            self.members().stream().filter(m -> disagreeing.contains(m.id())).forEach(m -> names.add(m.name()));
            throw new ClusterMismatchException("cluster ID mismatch: peers " + names + " belong to another cluster than "
                    + Long.toHexString(self.clusterId()) + ", the one this member was bootstrapped for: its "
                    + "--initial-cluster-token or --initial-cluster differs from theirs");
        }
    }
}
