package org.ketcd.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.ketcd.api.EtcdError;

/**
 * This member's Raft participation on Apache Ratis: proposes commands (batched into log entries),
 * offers read barriers for linearizable reads, and reports term, leader and indexes. Even a single
 * member is a Raft group of one, so every write takes the same path.
 */
public final class RaftNode implements AutoCloseable {

    /** Raft log segments kept in memory at most (Ratis' default is 6). */
    static final int LOG_CACHE_SEGMENTS = 2;
    /** Bytes of Raft log kept in memory at most (Ratis' default is 200 MB). */
    static final long LOG_CACHE_BYTES = 32L * 1024 * 1024;

    private final RaftSettings settings;
    private final CommandCodec codec = new CommandCodec();
    private final PendingRequests pending = new PendingRequests();
    private final RaftServer server;
    private final LocalSubmitter submitter;
    private final RaftGroup group;
    private final Proposer proposer;
    private final ReadBarrier readBarrier;

    private RaftNode(RaftSettings settings, CommandApplier applier) throws IOException {
        this.settings = settings;
        RaftProperties properties = properties(settings);
        group = RaftGroup.valueOf(RaftGroupId.valueOf(settings.groupId()),
                settings.peers().stream().map(RaftNode::peer).toList());
        boolean existing = Files.isDirectory(settings.logDir().resolve(group.getGroupId().getUuid().toString()));
        server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(settings.self().peerId()))
                .setGroup(group)
                .setProperties(properties)
                .setStateMachine(new KetcdStateMachine(codec, applier, pending, settings.self().memberId()))
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        submitter = new LocalSubmitter(server, RaftPeerId.valueOf(settings.self().peerId()), group.getGroupId());
        proposer = new Proposer(submitter, codec, pending);
        readBarrier = new ReadBarrier(submitter);
    }

    /** Starts the Raft server; on an existing log directory the member recovers its log and replays it. */
    public static RaftNode start(RaftSettings settings, CommandApplier applier) throws IOException {
        Files.createDirectories(settings.logDir());
        return new RaftNode(settings, applier);
    }

    private static RaftPeer peer(RaftPeerSpec spec) {
        return RaftPeer.newBuilder().setId(spec.peerId()).setAddress(spec.address()).build();
    }

    private static RaftProperties properties(RaftSettings s) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(s.logDir().toFile()));
        String address = s.listenAddress();
        GrpcConfigKeys.Server.setHost(p, address.substring(0, address.lastIndexOf(':')));
        GrpcConfigKeys.Server.setPort(p, Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
        // etcd's --election-timeout is the minimum; Ratis randomises between min and max as etcd does.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(s.electionTimeoutMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2L * s.electionTimeoutMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(p, 128);
        // Ratis keeps recent log segments in memory (default: 6 segments, 200 MB) to feed lagging
        // followers; the state machine has applied them already. Bound it; older entries are read from disk.
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

    public long term() {
        return division().getInfo().getCurrentTerm();
    }

    /** The leader's member id, or 0 while there is none. */
    public long leaderId() {
        RaftPeerId leader = division().getInfo().getLeaderId();
        return leader == null ? 0 : Long.parseUnsignedLong(leader.toString(), 16);
    }

    public long lastLogIndex() {
        return division().getRaftLog().getLastCommittedIndex();
    }

    public long appliedIndex() {
        return division().getInfo().getLastAppliedIndex();
    }

    @Override
    public void close() throws IOException {
        try {
            submitter.close();
        } finally {
            server.close();
            pending.failAll(EtcdError.STOPPED.exception());
        }
    }
}
