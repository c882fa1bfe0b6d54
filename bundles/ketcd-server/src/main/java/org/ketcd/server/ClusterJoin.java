package org.ketcd.server;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.Member;
import org.ketcd.raft.PeerService;
import org.ketcd.raft.PeerTransport;
import org.ketcd.raft.RaftNode;
import org.ketcd.raft.RaftPeerSpec;
import org.ketcd.server.config.ConfigException;
import org.ketcd.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new member joining a running cluster ({@code --initial-cluster-state existing}), after
 * {@code etcdctl member add} registered it: asks the peers in {@code --initial-cluster} for the cluster
 * (as etcd fetches it from its peers' {@code /members}), takes the id it was added with, and, once its
 * Raft server runs, asks the leader to add it to the Raft configuration. Until then the cluster's quorum
 * does not count it (etcd counts an added member at once): a member added but never started cannot
 * cost the cluster its quorum.
 */
final class ClusterJoin {
    /** How long to look for a member of the cluster that answers. */
    static final long FIND_TIMEOUT_MS = 10_000;
    /** Attempts at entering the Raft configuration (each may wait for Ratis' staging timeout). */
    static final int ENTER_ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterJoin.class);

    private final ServerConfig config;
    private final PeerTransport transport;
    private final PeerService.Answer cluster;
    private final Member self;

    private ClusterJoin(ServerConfig config, PeerTransport transport, PeerService.Answer cluster, Member self) {
        this.config = config;
        this.transport = transport;
        this.cluster = cluster;
        this.self = self;
    }

    /** Finds the cluster through the other members of {@code --initial-cluster}, and this member in it. */
    static ClusterJoin find(ServerConfig config, PeerTransport transport) throws ConfigException, InterruptedException {
        Map<String, List<URI>> listed = config.initialCluster();
        List<String> advertised = config.initialAdvertisePeerUrls().stream().map(URI::toString).sorted().toList();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FIND_TIMEOUT_MS);
        List<URI> asked = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            for (Map.Entry<String, List<URI>> e : listed.entrySet()) {
                if (e.getKey().equals(config.name())) {
                    continue;
                }
                URI url = e.getValue().get(0);
                asked.add(url);
                PeerService.Answer answer = transport.probe(url.getHost() + ":" + url.getPort());
                if (answer == null) {
                    continue;
                }
                for (Member m : answer.members()) {
                    if (m.peerUrls().stream().sorted().toList().equals(advertised)) {
                        return new ClusterJoin(config, transport, answer, m);
                    }
                }
                throw new ConfigException("member " + config.name() + " with peer URLs " + String.join(",", advertised)
                        + " is not a member of cluster " + Long.toHexString(answer.clusterId()) + "; add it first: etcdctl member add "
                        + config.name() + " --peer-urls=" + String.join(",", advertised));
            }
            Thread.sleep(500);
        }
        throw new ConfigException("--initial-cluster-state existing: no member of the cluster answered at "
                + listed.entrySet().stream().filter(e -> !e.getKey().equals(config.name()))
                        .map(e -> e.getValue().get(0).toString()).toList() + " within " + FIND_TIMEOUT_MS / 1000 + " s");
    }

    /** The identity this member was added with, stored in {@code memberDir}. */
    MemberIdentity identity(Path memberDir) throws java.io.IOException {
        List<MemberIdentity.ClusterMember> members = cluster.members().stream()
                .map(m -> new MemberIdentity.ClusterMember(m.id() == self.id() ? config.name() : m.name(), m.id(),
                        m.peerUrls().stream().map(URI::create).toList())).toList();
        MemberIdentity identity = new MemberIdentity(config.name(), self.id(), cluster.clusterId(), members);
        MemberIdentity.store(identity, memberDir.resolve(MemberIdentity.FILE));
        return identity;
    }

    /** The cluster's member list as the answering member had it. */
    List<Member> members() {
        return cluster.members();
    }

    /** Asks the leader to add this member to the Raft configuration; completes once it is in. */
    void enter(RaftNode raft) throws Exception {
        Exception last = null;
        PeerService.Answer view = cluster;
        for (int attempt = 1; attempt <= ENTER_ATTEMPTS; attempt++) {
            long leaderId = view.leaderId();
            Member leader = view.members().stream().filter(m -> m.id() == leaderId).findFirst().orElse(null);
            if (leader != null) {
                URI url = URI.create(leader.peerUrls().get(0));
                try {
                    raft.join(new RaftPeerSpec(leader.id(), url.getHost() + ":" + url.getPort())).get(30, TimeUnit.SECONDS);
                    LOG.info("member {} ({}) entered the Raft configuration of cluster {} as a {}", config.name(),
                            Long.toHexString(self.id()), Long.toHexString(cluster.clusterId()), self.learner() ? "learner" : "voter");
                    return;
                } catch (Exception e) {
                    last = e;
                    LOG.info("entering the cluster through leader {} failed ({}); asking again", leader.name(), e.getMessage());
                }
            }
            Thread.sleep(500);
            PeerService.Answer fresh = reprobe(view);
            view = fresh == null ? view : fresh;
        }
        throw new IllegalStateException("could not enter the Raft configuration of cluster "
                + Long.toHexString(cluster.clusterId()) + " after " + ENTER_ATTEMPTS + " attempts", last);
    }

    private PeerService.Answer reprobe(PeerService.Answer view) {
        for (Member m : view.members()) {
            if (m.id() != self.id()) {
                URI url = URI.create(m.peerUrls().get(0));
                PeerService.Answer answer = transport.probe(url.getHost() + ":" + url.getPort());
                if (answer != null && answer.leaderId() != 0) {
                    return answer;
                }
            }
        }
        return null;
    }
}
