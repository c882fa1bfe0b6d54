package org.ketcd.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;
import org.ketcd.api.EtcdError;
import org.ketcd.api.ListenFailure;

/**
 * This member's Raft participation on Apache Ratis: proposes commands (batched into log entries),
 * offers read barriers for linearizable reads, and reports term, leader and indexes. Even a single
 * member is a Raft group of one, so every write takes the same path.
 */
public final class RaftNode implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RaftNode.class);

    /** Bytes per Raft log segment file: the log is purged whole segments at a time, so this is its granularity. */
    static final long LOG_SEGMENT_BYTES = 8L * 1024 * 1024;
    /** Raft log segments kept in memory at most (Ratis' default is 6). */
    static final int LOG_CACHE_SEGMENTS = 2;
    /** Bytes of Raft log kept in memory at most (Ratis' default is 200 MB). */
    static final long LOG_CACHE_BYTES = 32L * 1024 * 1024;

    /** A single member's first election waits this fraction of the election timeout. */
    static final int SINGLE_MEMBER_FIRST_ELECTION_DIVISOR = 10;
    /** etcd's SnapshotCatchUpEntries: log entries kept after a snapshot so that a slow follower needs none. */
    static final long SNAPSHOT_CATCHUP_ENTRIES = 5_000;
    /** Where the newest snapshot point (term and index) is recorded, in the log directory. */
    static final String SNAPSHOT_FILE = "ketcd-snapshot";
    /** Pause before a leadership transfer the target lost is asked again (etcd polls its transfer per tick). */
    static final long TRANSFER_RETRY_PAUSE_MS = 50;

    private final RaftSettings settings;
    private final KetcdStateMachine stateMachine;
    private final CommandCodec codec = new CommandCodec();
    private final PendingRequests pending = new PendingRequests();
    private final RaftServer server;
    private final Submitter submitter;
    private final RaftGroup group;
    private final Proposer proposer;
    private final ReadBarrier readBarrier;
    /** This member's calls to other members' peer ports, with its credentials there. */
    private final PeerClient peers;
    private final PeerQueries queries = new PeerQueries();

    private RaftNode(RaftSettings settings, CommandApplier applier) throws IOException {
        this.settings = settings;
        RaftProperties properties = properties(settings);
        group = RaftGroup.valueOf(RaftGroupId.valueOf(settings.groupId()),
                settings.peers().stream().map(RaftNode::peer).toList());
        peers = new PeerClient(settings.self().memberId(), settings.transport());
        stateMachine = new KetcdStateMachine(codec, applier, pending, settings.self().memberId(),
                settings.logDir().resolve(SNAPSHOT_FILE), settings.fatal(), peers);
        settings.peerService().serveSnapshots(stateMachine::writeSnapshot);
        PeerAuthority authority = new PeerAuthority(settings.self().memberId(), settings.peerService()::members, peers.channels());
        ForwardedRequests forwarded = new ForwardedRequests();
        boolean existing = Files.isDirectory(settings.logDir().resolve(group.getGroupId().getUuid().toString()));
        server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(settings.self().peerId()))
                .setGroup(group)
                .setProperties(properties)
                .setParameters(parameters(settings.peerService(), settings.transport(), authority, peers, forwarded, queries))
                .setStateMachine(stateMachine)
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        forwarded.serveWith(server);
        String address = settings.self().address();
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replaceAll("^\\[|\\]$", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        try {
            // Ratis logs its own failed bind as three stack traces before it throws: a taken port is found here first
            ListenFailure.checkBindable(host, port);
            server.start();
        } catch (IOException | RuntimeException e) {
            stateMachine.stopping();
            peers.close();
            try {
                server.close();
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            if (ListenFailure.isBindFailure(e)) {
                throw new IOException(ListenFailure.message(host, port, e), e);
            }
            throw new IOException("cannot start the Raft server on " + address + ": " + rootMessage(e), e);
        }
        submitter = new Submitter(server, RaftPeerId.valueOf(settings.self().peerId()), group.getGroupId(), peers);
        proposer = new Proposer(submitter::write, codec, pending, Submitter.REQUEST_TIMEOUT_MS);
        readBarrier = new ReadBarrier(submitter);
    }

    static {
        // Ratis calls System.exit when, say, its gRPC server cannot bind the peer port. Inside Karaf that
        // would take every bundle down with it; with exits disabled the failure is an exception that the
        // member reports (and bin/ketcd exits 1 on), as etcd does for "address already in use".
        ExitUtils.disableSystemExit();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** Asks the member at {@code hostPort} who it is, as this member reaches its peers (plain text or TLS). */
    public PeerService.Answer probe(String hostPort) {
        return settings.transport().probe(hostPort);
    }

    /** Starts the Raft server; on an existing log directory the member recovers its log and replays it. */
    public static RaftNode start(RaftSettings settings, CommandApplier applier) throws IOException {
        Files.createDirectories(settings.logDir());
        return new RaftNode(settings, applier);
    }

    private static RaftPeer peer(RaftPeerSpec spec) {
        return RaftPeer.newBuilder().setId(spec.peerId()).setAddress(spec.address())
                .setStartupRole(spec.learner() ? RaftPeerRole.LISTENER : RaftPeerRole.FOLLOWER).build();
    }

    /**
     * Ketcd's services on the peer port, beside Ratis' (which builds its client and admin services into the
     * same server), and the policy that serves Ratis' Raft protocol, refuses its client and admin services,
     * and serves Ketcd's calls that carry data to members only ({@link PeerPortPolicy}).
     */
    private static Parameters parameters(PeerService peerService, PeerTransport transport, PeerAuthority authority,
                                         PeerClient peers, ForwardedRequests forwarded, PeerQueries queries) {
        ServerServiceDefinition peer = ServerServiceDefinition.builder(PeerWire.PEER_SERVICE)
                .addMethod(PeerWire.CHALLENGE, ServerCalls.asyncUnaryCall(authority::challenge))
                .addMethod(PeerWire.CREDENTIAL, ServerCalls.asyncUnaryCall(peers::credential))
                .addMethod(PeerWire.SUBMIT, ServerCalls.asyncUnaryCall(forwarded::submit))
                .addMethod(PeerWire.ADMIN, ServerCalls.asyncUnaryCall(forwarded::admin))
                .addMethod(PeerWire.QUERY, ServerCalls.asyncUnaryCall(queries::answer))
                .build();
        PeerPortPolicy policy = new PeerPortPolicy(authority);
        Parameters parameters = new Parameters();
        if (transport.tls()) {
            // one setting for the peer port and for Ratis' calls to the other members (the client and admin
            // services share the peer port, and the policy refuses them anyway)
            GrpcConfigKeys.TLS.setConf(parameters, transport.ratisTls());
        }
        GrpcConfigKeys.Server.setServicesCustomizer(parameters, (builder, types) -> types.contains(GrpcServices.Type.SERVER)
                ? builder.addService(peerService.definition()).addService(peer).intercept(policy) : builder);
        return parameters;
    }

    /**
     * Ratis' minimum election timeout for etcd's {@code --election-timeout}: half of it.
     *
     * <p>etcd's follower campaigns once it has heard nothing for a random time in [ET, 2 ET), counted
     * in heartbeat ticks. Ratis' follower instead sleeps a random time in [min, max] and only then
     * checks whether it has heard nothing for that long, so a lost leader is noticed one partial sleep
     * plus one whole sleep later: with etcd's [ET, 2 ET] that was 1.5-4 ET (measured 1.8-2.5 s to the
     * first write after a kill -9 with ET = 1 s, etcd 1.3-1.5 s). With [ET/2, ET] it is 0.5-2 ET, about
     * one ET on average: what etcd users expect. The same minimum sets Ratis' heartbeat (every min/2,
     * so ET/4: 250 ms by default; Ratis has no separate heartbeat setting, --heartbeat-interval only
     * bounds the lease minimum TTL and etcd's ET >= 5 x heartbeat check), and which votes a follower
     * refuses while its leader is alive (pre-vote: heard from it within min). The maximum, ET, is also
     * how long a leader keeps leading without hearing from a majority, as etcd's check-quorum.
     */
    static long ratisMinTimeoutMs(int electionTimeoutMs) {
        return Math.max(1, electionTimeoutMs / 2);
    }

    /** Ratis' maximum election timeout: etcd's {@code --election-timeout}. See {@link #ratisMinTimeoutMs}. */
    static long ratisMaxTimeoutMs(int electionTimeoutMs) {
        return Math.max(ratisMinTimeoutMs(electionTimeoutMs) + 1, electionTimeoutMs);
    }

    private static RaftProperties properties(RaftSettings s) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(s.logDir().toFile()));
        String address = s.listenAddress();
        GrpcConfigKeys.Server.setHost(p, address.substring(0, address.lastIndexOf(':')));
        GrpcConfigKeys.Server.setPort(p, Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(ratisMinTimeoutMs(s.electionTimeoutMs()), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(ratisMaxTimeoutMs(s.electionTimeoutMs()), TimeUnit.MILLISECONDS));
        if (s.peers().stream().filter(peer -> !peer.learner()).count() == 1) {
            // Alone, a member need not wait out an election timeout to be sure no leader exists: as
            // etcd's single member campaigns at once, it elects itself after a tenth of the timeout.
            long first = Math.max(1, s.electionTimeoutMs() / SINGLE_MEMBER_FIRST_ELECTION_DIVISOR);
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(first, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(2 * first, TimeUnit.MILLISECONDS));
        }
        // A leader that stepped down for lost heartbeats may campaign again after one election timeout, as etcd's.
        // Ratis' default keeps it out of elections for 10 s; when it holds the longest log no one else can win, so
        // a majority that came back stayed leaderless that long (ThreeMemberClusterTest). The same setting is the
        // JVM pause after which a leader steps down: one election timeout, after which followers elect anyway.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p,
                TimeDuration.valueOf(ratisMaxTimeoutMs(s.electionTimeoutMs()), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(p, 128);
        // Ratis 3.3.0 chains a follower's log appends in one future (RATIS-2387 "compose"): one failed
        // append fails every later one with the same exception, and the follower never appends again
        // (seen after healing a partition: PartitionTest). Without it each append fails on its own.
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);
        // Ratis' metadata entry after each commit (log-metadata.enabled, on by default) stays on although
        // it costs a log write per commit: it is how followers learn a new commit index at once. Without
        // it Ratis sends no empty append for a commit, and a follower applies (and answers a write made
        // through it, and notifies its watchers) only with the next entry or heartbeat, up to ET/4 later.
        // Ratis keeps recent log segments in memory (default: 6 segments, 200 MB) to feed lagging
        // followers; the state machine has applied them already. Bound it; older entries are read from disk.
        // --snapshot-count: a snapshot every so many entries, then the log is purged up to it but for
        // etcd's catch-up margin (or one snapshot-count, if smaller). A follower missing purged entries
        // is told to install a snapshot, which it fetches from the leader (KetcdStateMachine).
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, s.snapshotCount());
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, Math.min(SNAPSHOT_CATCHUP_ENTRIES, s.snapshotCount()));
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, Math.max(1, s.snapshotCount())));
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(LOG_SEGMENT_BYTES));
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, LOG_CACHE_SEGMENTS);
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf(LOG_CACHE_BYTES));
        return p;
    }

    /** Proposes a write; the future completes with the response from applying it, or an EtcdException. */
    public CompletableFuture<Object> propose(Command command) {
        return propose(command, encodedSize(command));
    }

    /** As {@link #propose(Command)}, with the size the caller already got from {@link #encodedSize(Command)}. */
    public CompletableFuture<Object> propose(Command command, int encodedSize) {
        if (proposer.full()) {
            return CompletableFuture.failedFuture(EtcdError.TOO_MANY_REQUESTS.exception());
        }
        CompletableFuture<Object> result = new CompletableFuture<>();
        long id = pending.register(result);
        ProposedCommand proposed = new ProposedCommand(settings.self().memberId(), id, command);
        proposer.propose(proposed, encodedSize);
        return result;
    }

    /** Encoded size of a command as it would travel in the log; what --max-request-bytes limits. */
    public int encodedSize(Command command) {
        return codec.encodedSize(new ProposedCommand(settings.self().memberId(), 0, command));
    }

    /** Completes once this member has applied every entry committed before the call (read index). */
    public CompletableFuture<Void> readBarrier() {
        return readBarrier.await();
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(group.getGroupId());
        } catch (IOException e) {
            throw new IllegalStateException("raft group not running", e);
        }
    }

    /**
     * Waits until the group has a leader whose log is ready for writes, at most {@code timeoutMs};
     * returns whether one was seen. A member serves only once ready, as etcd does.
     */
    public boolean awaitLeader(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            var info = division().getInfo();
            if (info.getLeaderId() != null && (!info.isLeader() || info.isLeaderReady())) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * Tells {@code listener} whether this member leads: once now, then at every leader change, on a
     * Ratis thread (so it must be quick and must not call back into Raft).
     */
    public void onLeadership(java.util.function.Consumer<Boolean> listener) {
        stateMachine.onLeadership(listener);
        listener.accept(isLeader());
    }

    /** Sets what answers other members' {@link #queryPeer} calls to this member; it must not block for long. */
    public void onPeerQuery(java.util.function.UnaryOperator<byte[]> handler) {
        queries.answerWith(handler);
    }

    /** Asks the member at {@code hostPort} (a peer address) through its {@link #onPeerQuery} handler. */
    public CompletableFuture<byte[]> queryPeer(String hostPort, byte[] query, long timeoutMs) {
        return peers.call(hostPort, PeerWire.QUERY, query, timeoutMs);
    }

    /** Sets what answers {@link #leaderQuery} on this member when it leads; it must not block. */
    public void onLeaderQuery(java.util.function.UnaryOperator<byte[]> handler) {
        stateMachine.onLeaderQuery(handler);
    }

    /**
     * Asks the leader's handler (set with {@link #onLeaderQuery}): sent over Ratis to the leader, answered
     * there after a read index. For what only the leader knows, such as a lease's deadline.
     */
    public CompletableFuture<byte[]> leaderQuery(byte[] query) {
        return submitter.leaderQuery(org.apache.ratis.protocol.Message.valueOf(
                        org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(query)))
                .thenApply(reply -> reply.getMessage().getContent().toByteArray());
    }

    /** Whether this member leads the group now. */
    public boolean isLeader() {
        return division().getInfo().isLeader();
    }

    /** The voting members of the current Raft configuration. */
    public List<RaftPeerSpec> voters() {
        return specs(division().getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER));
    }

    /** The learners (Ratis listeners: replicated to, never voting) of the current Raft configuration. */
    public List<RaftPeerSpec> learners() {
        return specs(division().getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER));
    }

    private static List<RaftPeerSpec> specs(java.util.Collection<RaftPeer> peers) {
        return peers.stream().map(p -> new RaftPeerSpec(Long.parseUnsignedLong(p.getId().toString(), 16), p.getAddress()))
                .toList();
    }

    /**
     * Members the leader heard from within {@code withinMs} (itself included): etcd's "started"
     * members for its strict reconfiguration checks. Empty when this member does not lead.
     */
    public java.util.Set<Long> recentlyActive(long withinMs) {
        var role = division().getInfo().getRoleInfoProto();
        if (!role.hasLeaderInfo()) {
            return java.util.Set.of();
        }
        java.util.Set<Long> active = new java.util.HashSet<>();
        active.add(settings.self().memberId());
        for (var follower : role.getLeaderInfo().getFollowerInfoList()) {
            if (follower.getLastRpcElapsedTimeMs() <= withinMs) {
                active.add(Long.parseUnsignedLong(RaftPeerId.valueOf(follower.getId().getId()).toString(), 16));
            }
        }
        return active;
    }

    /**
     * The voters other than this leader that it heard from within {@code withinMs}, the most recently heard first
     * (etcd's candidates for the transferee when a leader stops); empty when this member does not lead.
     */
    public List<RaftPeerSpec> votersByLastHeard(long withinMs) {
        var role = division().getInfo().getRoleInfoProto();
        if (!role.hasLeaderInfo()) {
            return List.of();
        }
        java.util.Map<Long, RaftPeerSpec> voters = new java.util.HashMap<>();
        voters().forEach(p -> voters.put(p.memberId(), p));
        java.util.Map<RaftPeerSpec, Long> heard = new java.util.HashMap<>();
        for (var follower : role.getLeaderInfo().getFollowerInfoList()) {
            long id = Long.parseUnsignedLong(RaftPeerId.valueOf(follower.getId().getId()).toString(), 16);
            RaftPeerSpec voter = voters.get(id);
            if (id != settings.self().memberId() && voter != null && follower.getLastRpcElapsedTimeMs() <= withinMs) {
                heard.put(voter, follower.getLastRpcElapsedTimeMs());
            }
        }
        return heard.keySet().stream().sorted(java.util.Comparator.comparingLong(heard::get)).toList();
    }

    /**
     * Replaces the Raft configuration (through the leader); completes once the new configuration is
     * committed. New voters must be running: Ratis first lets them catch up, then commits the change.
     */
    public CompletableFuture<Void> reconfigure(List<RaftPeerSpec> voters, List<RaftPeerSpec> learners) {
        return admin(target -> new SetConfigurationRequest(submitter.clientId(), target, group.getGroupId(),
                submitter.nextCallId(), voters.stream().map(RaftNode::peer).toList(),
                learners.stream().map(RaftNode::peer).toList()));
    }

    /**
     * Adds this member (a learner or a voter, as its spec says) to the current configuration, asking
     * {@code leader}: a joining member is in nobody's configuration yet, so nobody told it who leads.
     */
    public CompletableFuture<Void> join(RaftPeerSpec leader) {
        boolean learner = settings.self().learner();
        RaftPeer self = peer(settings.self());
        SetConfigurationRequest.Arguments.Builder args = SetConfigurationRequest.Arguments.newBuilder()
                .setMode(SetConfigurationRequest.Mode.ADD);
        if (learner) {
            args.setServersInNewConf(List.of()).setListenersInNewConf(List.of(self));
        } else {
            args.setServersInNewConf(List.of(self));
        }
        SetConfigurationRequest.Arguments built = args.build();
        return checked(submitter.adminTo(peer(leader), target -> new SetConfigurationRequest(submitter.clientId(), target,
                group.getGroupId(), submitter.nextCallId(), built)));
    }

    /**
     * Hands leadership to {@code memberId} (etcd's MoveLeader); completes once it leads, or fails with etcd's
     * "leader transfer took too long" after {@code timeoutMs}. Ratis starts the target's election as soon as its
     * log matches, but keeps appending (its commit metadata entries, other writes), so the target may campaign
     * one entry behind and lose, and another member may win that election; etcd's leader refuses proposals during
     * a transfer instead. The transfer is therefore asked again, of whichever member leads by then, until the
     * target leads or the time is up.
     */
    public CompletableFuture<Void> transferLeadership(long memberId, long timeoutMs) {
        if (!isLeader()) {
            return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
        }
        return transferUntil(memberId, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    }

    private CompletableFuture<Void> transferUntil(long memberId, long deadlineNanos) {
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (leftMs <= 0) {
            return CompletableFuture.failedFuture(EtcdError.LEADER_TRANSFER_TIMEOUT.exception());
        }
        return submitter.admin(target -> new TransferLeadershipRequest(submitter.clientId(), target, group.getGroupId(),
                        submitter.nextCallId(), RaftPeerId.valueOf(Long.toHexString(memberId)), leftMs))
                .handle((reply, failure) -> {
                    if (failure == null && reply.isSuccess() || leaderId() == memberId) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    LOG.info("leadership transfer to {} did not complete ({}); asking again", Long.toHexString(memberId),
                            failure != null ? failure.toString() : reply.getException() != null ? reply.getException().getMessage() : reply);
                    Executor pause = CompletableFuture.delayedExecutor(TRANSFER_RETRY_PAUSE_MS, TimeUnit.MILLISECONDS);
                    return CompletableFuture.supplyAsync(() -> null, pause).thenCompose(v -> transferUntil(memberId, deadlineNanos));
                })
                .thenCompose(f -> f);
    }

    private CompletableFuture<Void> admin(java.util.function.Function<RaftPeerId, RaftClientRequest> request) {
        return checked(submitter.admin(request));
    }

    private static CompletableFuture<Void> checked(CompletableFuture<org.apache.ratis.protocol.RaftClientReply> sent) {
        return sent.thenApply(reply -> {
            if (!reply.isSuccess()) {
                var e = reply.getException();
                if (reply.getNotLeaderException() != null) {
                    throw EtcdError.NOT_LEADER.exception();
                }
                LOG.warn("Raft configuration request failed: {}", e == null ? reply : e.getMessage());
                throw EtcdError.TIMEOUT.exception();
            }
            return null;
        });
    }

    public long term() {
        return division().getInfo().getCurrentTerm();
    }

    /** The leader's member id, or 0 while there is none. */
    public long leaderId() {
        RaftPeerId leader = division().getInfo().getLeaderId();
        return leader == null ? 0 : Long.parseUnsignedLong(leader.toString(), 16);
    }

    /** Writes this member's applied state into {@code file} (a zip); answers the {term, index} it covers. */
    public long[] writeSnapshot(Path file) throws IOException {
        return stateMachine.writeSnapshot(file);
    }

    /** The first index still in this member's log (after purges), for tests and status. */
    public long firstLogIndex() {
        return division().getRaftLog().getStartIndex();
    }

    public long lastLogIndex() {
        return division().getRaftLog().getLastCommittedIndex();
    }

    /** Ratis' registry of a member's log worker: application and component of its MetricRegistryInfo. */
    private static final String LOG_WORKER_METRICS_APPLICATION = org.apache.ratis.metrics.RatisMetrics.RATIS_APPLICATION_NAME_METRICS;
    private static final String LOG_WORKER_METRICS_COMPONENT = "log_worker";

    /**
     * How long this member's Raft log syncs took (Ratis' "syncTime": a batch of entries written and forced to disk),
     * for etcd_disk_wal_fsync_duration_seconds; empty while Ratis has not made its log worker's registry.
     */
    public org.ketcd.api.DurationHistogram.Snapshot logSyncDurations() {
        if (!(org.apache.ratis.metrics.MetricRegistries.global() instanceof RatisMetricRegistries registries)) {
            return org.ketcd.api.DurationHistogram.Snapshot.EMPTY;
        }
        return registries.find(division().getMemberId().toString(), LOG_WORKER_METRICS_APPLICATION, LOG_WORKER_METRICS_COMPONENT)
                .flatMap(r -> r.timings(org.apache.ratis.server.metrics.SegmentedRaftLogMetrics.RAFT_LOG_SYNC_TIME))
                .orElse(org.ketcd.api.DurationHistogram.Snapshot.EMPTY);
    }

    /**
     * How long this member's Raft snapshots took (every --snapshot-count entries: the store made durable up to the
     * applied entry), for etcd_debugging_snap_save_total_duration_seconds.
     */
    public org.ketcd.api.DurationHistogram.Snapshot snapshotSaveDurations() {
        return stateMachine.snapshotSaveDurations();
    }

    /** Ratis' log appender metrics: application of its MetricRegistryInfo, and its heartbeat timers' names. */
    private static final String LOG_APPENDER_METRICS_APPLICATION = "ratis_grpc";
    private static final java.util.regex.Pattern HEARTBEAT_TIMER = java.util.regex.Pattern.compile("([0-9a-f]{1,16})_latency_heartbeat");

    /**
     * While this member leads: the round trips of its heartbeats to each follower, by the follower's member ID (what
     * etcd's prober measures between every two members, for etcd_network_peer_round_trip_time_seconds). Empty on a
     * follower and on a single member.
     */
    public java.util.Map<Long, org.ketcd.api.DurationHistogram.Snapshot> peerRoundTrips() {
        if (!(org.apache.ratis.metrics.MetricRegistries.global() instanceof RatisMetricRegistries registries)
                || !division().getInfo().isLeader()) {
            return java.util.Map.of();
        }
        java.util.Map<Long, org.ketcd.api.DurationHistogram.Snapshot> byPeer = new java.util.HashMap<>();
        registries.find(division().getMemberId().toString(), LOG_APPENDER_METRICS_APPLICATION, TimingRegistry.LOG_APPENDER_COMPONENT)
                .ifPresent(r -> r.allTimings().forEach((name, timings) -> {
                    java.util.regex.Matcher m = HEARTBEAT_TIMER.matcher(name);
                    if (m.matches()) {
                        byPeer.put(Long.parseUnsignedLong(m.group(1), 16), timings);
                    }
                }));
        return byPeer;
    }

    /** Leaders seen since this member started. */
    public long leaderChanges() {
        return stateMachine.leaderChanges();
    }

    /** Writes proposed through this member and not answered yet. */
    public long proposalsPending() {
        return pending.size();
    }

    /** Writes proposed through this member that failed in Raft (timed out, no leader). */
    public long proposalsFailed() {
        return proposer.failed();
    }

    public long appliedIndex() {
        return division().getInfo().getLastAppliedIndex();
    }

    /** How long close() waits for Ratis' apply thread to finish the entries it was applying. */
    static final long APPLY_STOP_TIMEOUT_MS = 30_000;

    /**
     * Stops Raft. Returns once Ratis' apply thread has stopped (it finishes the committed entries it
     * had started on and may take a last snapshot), or after {@link #APPLY_STOP_TIMEOUT_MS}; either way no
     * Raft thread touches the store afterwards ({@link StoreGate}), so the caller may close it.
     */
    @Override
    public void close() throws IOException {
        stateMachine.stopping();
        try {
            submitter.close();
        } finally {
            server.close();
            peers.close();
            pending.failAll(EtcdError.STOPPED.exception());
            try {
                if (!stateMachine.awaitClosed(APPLY_STOP_TIMEOUT_MS)) {
                    LOG.warn("Raft's apply thread did not stop within {} ms; it no longer reaches the store", APPLY_STOP_TIMEOUT_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stateMachine.closeStoreGate(); // the caller closes the store next
            }
        }
    }
}
