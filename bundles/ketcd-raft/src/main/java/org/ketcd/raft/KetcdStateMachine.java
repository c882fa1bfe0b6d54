package org.ketcd.raft;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.ketcd.api.EtcdException;
import org.ketcd.api.FatalErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed log entries in order. Entries at or below the store's consistent index were
 * already applied before a restart and are skipped, so a crash at any point replays exactly the
 * entries the store had not made durable.
 *
 * <p>Applying is total: an entry that does not decode is skipped with the same outcome on every member,
 * so they stay identical and the apply thread goes on. The leader refuses such entries before they are
 * appended ({@link #startTransaction}); one can only come from elsewhere, such as a bug or a forged append.
 * A fault of the store itself (a full disk) is fatal ({@link FatalErrorHandler}): the member stops rather
 * than answer an error for a write that is in the log and will be applied after a restart.
 */
final class KetcdStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(KetcdStateMachine.class);
    /** How long each snapshot took: the store made durable up to the applied entry, and the point recorded. */
    private final org.ketcd.api.DurationHistogram snapshotSaves = new org.ketcd.api.DurationHistogram();

    private final java.util.concurrent.atomic.LongAdder leaderChanges = new java.util.concurrent.atomic.LongAdder();
    private final CommandCodec codec;
    private final CommandApplier applier;
    private final PendingRequests pending;
    private final long memberId;
    private final FatalErrorHandler fatal;
    /** Fetches the leader's snapshot with this member's credential there. */
    private final PeerClient peers;
    /** Set once the member itself stops Raft: a close of the state machine before that is a failure. */
    private volatile boolean stopping;

    /** The newest snapshot point: term and index of the applied state the store holds durably. */
    private final Path snapshotFile;
    private volatile TermIndex latestSnapshot;

    KetcdStateMachine(CommandCodec codec, CommandApplier applier, PendingRequests pending, long memberId, Path snapshotFile,
                      FatalErrorHandler fatal, PeerClient peers) {
        this.codec = codec;
        this.peers = peers;
        this.fatal = fatal;
        this.applier = applier;
        this.pending = pending;
        this.memberId = memberId;
        this.snapshotFile = snapshotFile;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        super.initialize(server, groupId, storage);
        getLifeCycle().startAndTransition(() -> { });
        if (Files.exists(snapshotFile)) {
            String[] termIndex = Files.readString(snapshotFile, StandardCharsets.UTF_8).trim().split(" ");
            latestSnapshot = TermIndex.valueOf(Long.parseLong(termIndex[0]), Long.parseLong(termIndex[1]));
            updateLastAppliedTermIndex(latestSnapshot.getTerm(), latestSnapshot.getIndex());
        }
    }

    /**
     * A snapshot (Ratis triggers it every --snapshot-count entries, then purges the log up to it): the
     * state lives in the store, so taking it means making everything applied durable and recording
     * the point. What a lagging follower receives is made on request ({@link #writeSnapshot}).
     */
    @Override
    public long takeSnapshot() throws IOException {
        if (!storeGate.enter()) {
            // The member closed its store (Ratis takes a snapshot when it stops): the recorded point stands.
            TermIndex recorded = latestSnapshot;
            return recorded == null ? -1 : recorded.getIndex();
        }
        try {
            long start = System.nanoTime();
            TermIndex point = applier.betweenEntries(this::getLastAppliedTermIndex);
            recordSnapshot(point);
            snapshotSaves.observe(System.nanoTime() - start);
            LOG.info("snapshot at Raft index {} (term {}); the log before it may be purged", point.getIndex(), point.getTerm());
            return point.getIndex();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            // An IOException is what Ratis survives here (it logs it and tries again later); anything else
            // would stop its apply thread.
            throw new IOException("snapshot failed: " + e, e);
        } finally {
            storeGate.leave();
        }
    }

    /** The snapshots this member took since it started ({@link #takeSnapshot}). */
    org.ketcd.api.DurationHistogram.Snapshot snapshotSaveDurations() {
        return snapshotSaves.snapshot();
    }

    /** Keeps Raft's threads off the store for good; returns once none is inside. Called before the store closes. */
    void closeStoreGate() {
        storeGate.close();
    }

    private void recordSnapshot(TermIndex point) throws IOException {
        Path tmp = snapshotFile.resolveSibling(snapshotFile.getFileName() + ".tmp");
        Files.writeString(tmp, point.getTerm() + " " + point.getIndex() + "\n", StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, snapshotFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        latestSnapshot = point;
    }

    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    private final StoreGate storeGate = new StoreGate();

    /** The member is stopping Raft: closing the state machine is expected from now on. */
    void stopping() {
        stopping = true;
    }

    /**
     * Ratis closes the state machine once its apply thread has stopped: nothing is applied after this.
     * Unless the member is stopping or was removed from the Raft configuration (Ratis stops a leader that
     * committed its own removal; the member then stops as etcd's removed member does), Ratis closed this
     * member's Raft group on its own because its apply or log thread failed, and the member can no longer serve.
     */
    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            closed.countDown();
            if (!stopping && !removedFromConfiguration()) {
                fatal.fatal("Raft stopped this member's group on its own (see the errors before this one)", null);
            }
        }
    }

    private boolean removedFromConfiguration() {
        try {
            RaftServer.Division division = getServer().getNow(null).getDivision(getGroupId());
            return division.getRaftConf().getPeer(division.getId(),
                    org.apache.ratis.proto.RaftProtos.RaftPeerRole.FOLLOWER,
                    org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER) == null;
        } catch (IOException | RuntimeException unknown) {
            return false; // no server or group to ask (e.g. never started): not a removal
        }
    }

    /** A Raft log write failed (a full disk, a failing device): etcd exits when it cannot write its WAL. */
    @Override
    public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
        fatal.fatal("writing the Raft log failed" + (failedEntry == null ? "" : " at index " + failedEntry.getIndex()), cause);
    }

    /** Waits until Ratis has closed this state machine, at most {@code timeoutMs}; whether it did. */
    boolean awaitClosed(long timeoutMs) throws InterruptedException {
        return closed.await(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Ratis pauses the state machine before it reloads it after a snapshot installation. */
    @Override
    public synchronized void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** The installed state is in place already ({@link #notifyInstallSnapshotFromLeader}); only resume. */
    @Override
    public synchronized void reinitialize() {
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        TermIndex point = latestSnapshot;
        return point == null ? null : new FileListSnapshotInfo(List.of(), point);
    }

    /** Writes this member's applied state into {@code file} for a follower; answers {term, index} it covers. */
    long[] writeSnapshot(Path file) throws IOException {
        if (!storeGate.enter()) {
            throw new IOException("this member is stopping");
        }
        Path dir = Files.createTempDirectory(file.getParent(), "ketcd-state-");
        try {
            TermIndex point = applier.betweenEntries(() -> {
                applier.writeState(dir);
                return getLastAppliedTermIndex();
            });
            SnapshotFormat.write(dir);
            SnapshotFiles.zip(dir, file);
            return new long[] {point.getTerm(), point.getIndex()};
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            try {
                SnapshotFiles.deleteRecursively(dir);
            } finally {
                storeGate.leave();
            }
        }
    }

    /**
     * The leader purged the entries this member misses: fetch the leader's state, as etcd's follower
     * receives a snapshot, install it, and report the point it covers; Ratis goes on from there.
     */
    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto roleInfo, TermIndex firstTermIndexInLog) {
        String leader = roleInfo.getFollowerInfo().getLeaderInfo().getId().getAddress();
        return CompletableFuture.supplyAsync(() -> {
            Path file = null;
            Path dir = null;
            try {
                file = Files.createTempFile(snapshotFile.getParent(), "ketcd-snapshot-", ".zip");
                dir = Files.createTempDirectory(snapshotFile.getParent(), "ketcd-state-");
                LOG.info("the leader at {} no longer has the log from our index on (its log starts at {}); fetching its snapshot",
                        leader, firstTermIndexInLog);
                long[] termIndex = PeerService.fetchSnapshot(peers, leader, file);
                SnapshotFiles.unzip(file, dir);
                checkFormat(dir, termIndex[1]);
                if (!storeGate.enter()) {
                    throw new IOException("this member is stopping; the leader's snapshot was not installed");
                }
                try {
                    applier.installState(dir);
                } finally {
                    storeGate.leave();
                }
                TermIndex point = TermIndex.valueOf(termIndex[0], termIndex[1]);
                recordSnapshot(point);
                updateLastAppliedTermIndex(point.getTerm(), point.getIndex());
                LOG.info("installed the leader's snapshot at Raft index {} (term {}, {} bytes)", point.getIndex(),
                        point.getTerm(), Files.size(file));
                return point;
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            } finally {
                try {
                    if (file != null) {
                        Files.deleteIfExists(file);
                    }
                    if (dir != null) {
                        SnapshotFiles.deleteRecursively(dir);
                    }
                } catch (IOException ignored) {
                    // temp files left behind in the Raft directory; harmless
                }
            }
        });
    }

    /** A state written by a newer Ketcd stops this member, as an entry in a newer format does ({@link #commandsOf}). */
    private void checkFormat(Path dir, long index) throws IOException {
        try {
            SnapshotFormat.check(dir);
        } catch (SnapshotFormat.NewerFormatException e) {
            String reason = "the leader's snapshot at Raft index " + index + " was written by a newer Ketcd: " + e.getMessage()
                    + "; update this member to the cluster's version";
            fatal.fatal(reason, null);
            throw new IOException(reason, e);
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        if (!storeGate.enter()) {
            // The member closed its store while Ratis' apply thread still ran: leave the entry to the
            // next start, which replays everything above the store's consistent index.
            LOG.debug("not applying Raft index {}: the store is closed", index);
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        try {
            return applyEntry(trx, entry, index);
        } finally {
            storeGate.leave();
        }
    }

    private CompletableFuture<Message> applyEntry(TransactionContext trx, LogEntryProto entry, long index) {
        if (index > applier.consistentIndex()) {
            List<ProposedCommand> commands = commandsOf(trx, entry);
            applier.beginEntry();
            try {
                for (ProposedCommand c : commands) {
                    applyOne(c, index);
                }
                applier.entryApplied(index);
            } finally {
                applier.endEntry();
            }
        }
        updateLastAppliedTermIndex(entry.getTerm(), index);
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /**
     * The entry's commands: as the leader decoded them when it appended the entry, else decoded now. None
     * when the entry does not decode, which every member decides alike from the same bytes. An entry in a
     * newer format (a newer Ketcd leads) is another matter: members of that version apply it, so skipping it
     * here would diverge; this member stops instead, and applies it once it runs that version too.
     */
    private List<ProposedCommand> commandsOf(TransactionContext trx, LogEntryProto entry) {
        if (trx.getStateMachineContext() instanceof DecodedEntry decoded) {
            return decoded.commands();
        }
        try {
            return codec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (CommandCodec.NewerFormatException e) {
            String reason = "Raft index " + entry.getIndex() + " was written by a newer Ketcd: " + e.getMessage()
                    + "; update this member to the cluster's version";
            fatal.fatal(reason, null);
            throw new IllegalStateException(reason);
        } catch (CommandCodec.UndecodableException e) {
            LOG.error("Raft index {} is not a batch of Ketcd commands; skipped, as on every member: {}",
                    entry.getIndex(), e.getMessage());
            return List.of();
        }
    }

    /** The commands of an entry the leader decoded before appending it, kept for applying it there. */
    private record DecodedEntry(List<ProposedCommand> commands) {
    }

    private void applyOne(ProposedCommand c, long index) {
        boolean mine = c.proposer() == memberId;
        try {
            Object response = applier.apply(c.command());
            if (mine) {
                pending.complete(c.requestId(), response);
            }
        } catch (EtcdException refused) {
            if (mine) {
                pending.fail(c.requestId(), refused);
            }
        } catch (RuntimeException fault) {
            // The entry is committed: after a restart it is applied again. So its client hears no error
            // (it would be a false one), and the member stops rather than diverge from the others.
            fatal.fatal("applying " + c.command().getClass().getSimpleName() + " at Raft index " + index + " failed", fault);
            throw fault;
        }
    }

    /** Told whether this member now leads; set once by the server, null until then. */
    private volatile java.util.function.Consumer<Boolean> leadershipListener;
    /** Answers queries sent to the leader ({@link RaftNode#leaderQuery}); null until the server sets it. */
    private volatile java.util.function.UnaryOperator<byte[]> leaderQueries;

    void onLeadership(java.util.function.Consumer<Boolean> listener) {
        this.leadershipListener = listener;
    }

    void onLeaderQuery(java.util.function.UnaryOperator<byte[]> handler) {
        this.leaderQueries = handler;
    }

    /** Ratis' thread: the listener must be quick and must not call back into Ratis. Logged as etcd's raft.node does. */
    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        if (newLeaderId != null) {
            leaderChanges.increment();
            LOG.info("raft.node: {} elected leader {} at term {}", groupMemberId.getPeerId(), newLeaderId, currentTerm(groupMemberId));
        }
        java.util.function.Consumer<Boolean> listener = leadershipListener;
        if (listener != null) {
            listener.accept(groupMemberId.getPeerId().equals(newLeaderId));
        }
    }

    /** Leaders this member has seen since it started (etcd_server_leader_changes_seen_total). */
    long leaderChanges() {
        return leaderChanges.sum();
    }

    /** The term this member is in, or "?" while its server is not known (never during a leader change). */
    private Object currentTerm(RaftGroupMemberId groupMemberId) {
        RaftServer server = getServer().getNow(null);
        try {
            return server == null ? "?" : server.getDivision(groupMemberId.getGroupId()).getInfo().getCurrentTerm();
        } catch (IOException groupGone) {
            return "?";
        }
    }

    /**
     * The leader, before it appends a client's write: refuses a write whose deadline has passed (it arrived late,
     * e.g. held up by a partition; its client has been told "request timed out") and logs the command without
     * the deadline's 8 bytes. See {@link WriteDeadline}.
     */
    @Override
    public TransactionContext startTransaction(org.apache.ratis.protocol.RaftClientRequest request) throws IOException {
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString stamped = request.getMessage().getContent();
        TransactionContext.Builder b = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
        if (stamped.size() < WriteDeadline.HEADER_BYTES) {
            return refused(b, new IllegalArgumentException("a write without its deadline; not appended"));
        }
        long late = System.currentTimeMillis() - WriteDeadline.deadline(stamped);
        if (late > 0) {
            LOG.warn("a write reached the leader {} ms after its deadline (its client was told it timed out); not appended", late);
            return refused(b, new java.util.concurrent.TimeoutException("write arrived " + late + " ms after its deadline"));
        }
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString command = WriteDeadline.command(stamped);
        try {
            DecodedEntry decoded = new DecodedEntry(codec.decode(command.toByteArray()));
            return b.setLogData(command).setStateMachineContext(decoded).build();
        } catch (CommandCodec.UndecodableException e) {
            LOG.warn("refused a write that is not a batch of Ketcd commands; not appended: {}", e.getMessage());
            return refused(b, e);
        }
    }

    private static TransactionContext refused(TransactionContext.Builder b, Exception why) {
        TransactionContext refused = b.build();
        refused.setException(why);
        return refused;
    }

    /**
     * Ratis' thread, when this member's leadership ends. Ratis tells {@link #notifyLeaderChanged} only about a
     * new leader, so a leader that steps down without one (it lost its majority: etcd's check-quorum) would
     * otherwise keep believing it leads, and keep renewing leases on its own, cut off from the cluster.
     */
    @Override
    public void notifyNotLeader(java.util.Collection<org.apache.ratis.statemachine.TransactionContext> pendingEntries) {
        java.util.function.Consumer<Boolean> listener = leadershipListener;
        if (listener != null) {
            listener.accept(false);
        }
    }

    /**
     * An empty query is a read barrier: Ratis calls this once the local applied index has reached the
     * read index. Any other query was sent to the leader and is answered by the server's handler.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        if (request.getContent().isEmpty()) {
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        java.util.function.UnaryOperator<byte[]> handler = leaderQueries;
        if (handler == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("this member does not answer queries yet"));
        }
        try {
            return CompletableFuture.completedFuture(Message.valueOf(
                    org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(handler.apply(request.getContent().toByteArray()))));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
