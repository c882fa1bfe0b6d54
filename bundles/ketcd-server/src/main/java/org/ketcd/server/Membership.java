package org.ketcd.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.ketcd.api.EtcdError;
import org.ketcd.api.Member;
import org.ketcd.api.MemberAddResponse;
import org.ketcd.raft.Command;
import org.ketcd.raft.PeerService;
import org.ketcd.raft.RaftNode;
import org.ketcd.raft.RaftPeerSpec;
import org.ketcd.server.config.ServerConfig;

/**
 * etcd's membership operations (member add, remove, update, promote; move-leader) with etcd's
 * strict reconfiguration checks. A change touches two replicated things: the Raft configuration
 * (Ratis; who votes and who receives the log) and the member list every member lists (a
 * {@link Command.MemberChange} through the log). Added members enter the Raft configuration
 * themselves when they start ({@link ClusterJoin}); the other operations change the Raft
 * configuration first, then the list, so a list never names a voter Raft does not have.
 */
final class Membership {
    /** etcd's limit on learners in a cluster. */
    static final int MAX_LEARNERS = 1;
    /** etcd's readiness rule: a learner may be promoted once its log is at 90% of the leader's. */
    static final double LEARNER_READY_PERCENT = 0.9;

    private final ServerConfig config;
    private final MemberIdentity identity;
    private final ClusterMembers members;
    private final RaftNode raft;

    Membership(ServerConfig config, MemberIdentity identity, ClusterMembers members, RaftNode raft) {
        this.config = config;
        this.identity = identity;
        this.members = members;
        this.raft = raft;
    }

    @SuppressWarnings("unchecked")
    CompletableFuture<MemberAddResponse> add(List<String> peerUrls, boolean learner) {
        List<String> urls = checkUrls(peerUrls);
        refuseUrlsInUse(0, urls);
        List<Member> all = members.list();
        if (learner && all.stream().filter(Member::learner).count() >= MAX_LEARNERS) {
            throw EtcdError.TOO_MANY_LEARNERS.exception();
        }
        if (!learner && config.strictReconfigCheck() && !readyToAddVoter(all)) {
            throw EtcdError.MEMBER_NOT_ENOUGH_STARTED.exception();
        }
        Member added = new Member(newMemberId(urls), "", urls, List.of(), learner);
        return raft.propose(new Command.MemberChange(Command.MemberChange.Kind.ADD, added))
                .thenApply(list -> new MemberAddResponse(added, (List<Member>) list));
    }

    /**
     * Removes a member: from the member list first, while the member still receives the log, so that
     * it learns of its removal and stops (as etcd's removed member does); then from the Raft
     * configuration. A removal interrupted between the two is finished by asking again.
     */
    CompletableFuture<List<Member>> remove(long id) {
        Member removed = members.get(id);
        boolean inRaft = inRaftConfiguration(id);
        if (removed == null && !inRaft) {
            throw EtcdError.MEMBER_NOT_FOUND.exception();
        }
        if (removed != null && !removed.learner() && config.strictReconfigCheck()) {
            List<Member> rest = members.list().stream().filter(m -> m.id() != id).toList();
            long voters = rest.stream().filter(m -> !m.learner()).count();
            if (startedVoters(rest) < quorum(voters)) {
                throw EtcdError.MEMBER_NOT_ENOUGH_STARTED.exception();
            }
        }
        CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);
        if (raft.leaderId() == id && raft.isLeader()) {
            // etcd moves leadership away before the leader is removed, so the cluster never waits for an election.
            long successor = raft.voters().stream().mapToLong(RaftPeerSpec::memberId).filter(m -> m != id).findFirst().orElse(0);
            if (successor != 0) {
                ready = raft.transferLeadership(successor, transferTimeoutMs());
            }
        }
        return ready.thenCompose(v -> removed != null
                        ? change(Command.MemberChange.Kind.REMOVE, new Member(id, "", List.of(), List.of(), false))
                        : CompletableFuture.completedFuture(members.list()))
                .thenCompose(list -> inRaft
                        ? raft.reconfigure(without(raft.voters(), id), without(raft.learners(), id)).thenApply(v -> list)
                        : CompletableFuture.completedFuture(list));
    }

    CompletableFuture<List<Member>> update(long id, List<String> peerUrls) {
        Member current = existing(id);
        List<String> urls = checkUrls(peerUrls);
        refuseUrlsInUse(id, urls);
        URI first = URI.create(urls.get(0));
        String address = first.getHost() + ":" + first.getPort();
        CompletableFuture<Void> reconfigured = inRaftConfiguration(id)
                ? raft.reconfigure(readdressed(raft.voters(), id, address), readdressed(raft.learners(), id, address))
                : CompletableFuture.completedFuture(null);
        return reconfigured.thenCompose(v -> change(Command.MemberChange.Kind.UPDATE,
                new Member(id, current.name(), urls, current.clientUrls(), current.learner())));
    }

    CompletableFuture<List<Member>> promote(long id) {
        Member learner = existing(id);
        if (!learner.learner()) {
            throw EtcdError.MEMBER_NOT_LEARNER.exception();
        }
        RaftPeerSpec inRaft = raft.learners().stream().filter(p -> p.memberId() == id).findFirst()
                .orElseThrow(EtcdError.LEARNER_NOT_READY::exception); // added, but never started
        URI url = URI.create(learner.peerUrls().get(0));
        PeerService.Answer answer = raft.probe(url.getHost() + ":" + url.getPort());
        if (answer == null || answer.appliedIndex() < LEARNER_READY_PERCENT * raft.appliedIndex()) {
            throw EtcdError.LEARNER_NOT_READY.exception();
        }
        List<RaftPeerSpec> voters = new ArrayList<>(raft.voters());
        voters.add(new RaftPeerSpec(id, inRaft.address()));
        return raft.reconfigure(voters, without(raft.learners(), id))
                .thenCompose(v -> change(Command.MemberChange.Kind.PROMOTE, learner));
    }

    CompletableFuture<Void> moveLeader(long target) {
        if (raft.voters().stream().noneMatch(p -> p.memberId() == target)) {
            throw EtcdError.BAD_LEADER_TRANSFEREE.exception();
        }
        if (!raft.isLeader()) {
            throw EtcdError.NOT_LEADER.exception();
        }
        if (target == identity.memberId()) {
            return CompletableFuture.completedFuture(null);
        }
        return raft.transferLeadership(target, transferTimeoutMs());
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<List<Member>> change(Command.MemberChange.Kind kind, Member member) {
        return raft.propose(new Command.MemberChange(kind, member)).thenApply(list -> (List<Member>) list);
    }

    private Member existing(long id) {
        Member m = members.get(id);
        if (m == null) {
            throw EtcdError.MEMBER_NOT_FOUND.exception();
        }
        return m;
    }

    private boolean inRaftConfiguration(long id) {
        return raft.voters().stream().anyMatch(p -> p.memberId() == id) || raft.learners().stream().anyMatch(p -> p.memberId() == id);
    }

    private long transferTimeoutMs() {
        return 5L * config.electionTimeoutMs();
    }

    /** Voters that have started, i.e. published their name (etcd's "started members"). */
    /**
     * etcd's rule: after the add, the started voters must still be a quorum, except that a cluster of one
     * started member may always grow to two (how a cluster restored from a snapshot on one member grows).
     */
    static boolean readyToAddVoter(List<Member> all) {
        long votersAfter = all.stream().filter(m -> !m.learner()).count() + 1;
        long started = startedVoters(all);
        return (started == 1 && votersAfter == 2) || started >= quorum(votersAfter);
    }

    private static long startedVoters(List<Member> list) {
        return list.stream().filter(m -> !m.learner() && !m.name().isEmpty()).count();
    }

    private static long quorum(long voters) {
        return voters / 2 + 1;
    }

    private static List<RaftPeerSpec> without(List<RaftPeerSpec> peers, long id) {
        return peers.stream().filter(p -> p.memberId() != id).toList();
    }

    private static List<RaftPeerSpec> readdressed(List<RaftPeerSpec> peers, long id, String address) {
        return peers.stream().map(p -> p.memberId() == id ? new RaftPeerSpec(id, address, p.learner()) : p).toList();
    }

    /** Peer URLs as etcd accepts them: at least one, each http(s)://host:port; else "given member URLs are invalid". */
    private static List<String> checkUrls(List<String> peerUrls) {
        if (peerUrls.isEmpty()) {
            throw EtcdError.MEMBER_BAD_URLS.exception();
        }
        List<String> out = new ArrayList<>();
        for (String u : peerUrls) {
            try {
                URI uri = new URI(u);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                        || uri.getPort() < 0) {
                    throw EtcdError.MEMBER_BAD_URLS.exception();
                }
                out.add(uri.toString());
            } catch (URISyntaxException e) {
                throw EtcdError.MEMBER_BAD_URLS.exception();
            }
        }
        return out.stream().sorted().toList();
    }

    private void refuseUrlsInUse(long exceptId, List<String> urls) {
        for (Member m : members.list()) {
            if (m.id() != exceptId && m.peerUrls().stream().anyMatch(urls::contains)) {
                throw EtcdError.PEER_URL_EXIST.exception();
            }
        }
    }

    /** etcd's rule for a new member's id: a hash of its peer URLs, the cluster and the time of adding. */
    private long newMemberId(List<String> urls) {
        long id = MemberIdentity.hashId((String.join("", urls) + Long.toHexString(identity.clusterId())
                + System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
        if (members.get(id) != null) {
            throw EtcdError.MEMBER_EXIST.exception();
        }
        return id;
    }
}
