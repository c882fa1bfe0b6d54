package org.ketcd.server;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.ketcd.api.Alarm;
import org.ketcd.api.AlarmType;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.CompactionResponse;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.DeleteRangeResponse;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.EtcdAuth;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.CampaignResponse;
import org.ketcd.api.HashKvResponse;
import org.ketcd.api.LeaderKey;
import org.ketcd.api.LeaderResponse;
import org.ketcd.api.LockResponse;
import org.ketcd.server.auth.AuthStore;
import org.ketcd.server.auth.Caller;
import org.ketcd.server.concurrency.Elections;
import org.ketcd.server.concurrency.Locks;
import org.ketcd.api.LeaseGrantResponse;
import org.ketcd.api.LeaseKeepAliveResponse;
import org.ketcd.api.LeaseTimeToLiveResponse;
import org.ketcd.api.Member;
import org.ketcd.api.MemberAddResponse;
import org.ketcd.api.PutRequest;
import org.ketcd.api.PutResponse;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.ResponseHeader;
import org.ketcd.api.StatusResponse;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchListener;
import org.ketcd.api.WatchRequest;
import org.ketcd.mvcc.MvccStore;
import org.ketcd.raft.Command;
import org.ketcd.raft.RaftNode;
import org.ketcd.server.config.ServerConfig;
import org.ketcd.server.watch.WatchHub;

/**
 * The etcd server of one member: checks requests as etcd does (arguments, size, quota), proposes
 * writes through Raft, and answers reads from the local store after a read barrier (linearizable) or
 * directly (serializable). Every adapter calls this and nothing below it.
 */
final class KetcdServer implements EtcdServer {
    /** etcd's per-key overhead in its quota estimate of a put (quota.go kvOverhead). */
    private static final int QUOTA_KV_OVERHEAD = 256;

    private final ServerConfig config;
    /**
     * --quota-backend-bytes, which a configuration change sets while the member runs ({@link #quotaBackendBytes(long)});
     * shared with the member's views for other callers.
     */
    private final java.util.concurrent.atomic.AtomicLong quotaBackendBytes;
    /** The member's defragmentations and client snapshots, shared with its views for other callers. */
    private final org.ketcd.api.DurationHistogram defrags;
    private final java.util.concurrent.atomic.AtomicInteger defragsRunning;
    private final org.ketcd.api.DurationHistogram snapshots;
    private final MemberIdentity identity;
    private final ClusterMembers members;
    private final Membership membership;
    private final MvccStore store;
    private final RaftNode raft;
    private final Alarms alarms;
    private final Lessor lessor;
    private final LeaseIds leaseIds;
    private final WatchHub watchHub;
    private final AuthStore auth;
    /** Drains the watches that locks and elections wait on (quick steps; never the apply thread). */
    private final java.util.concurrent.ExecutorService recipeSteps;
    private final Locks locks;
    private final Elections elections;
    /** The caller's simple token (null: none); resolved at each request, as etcd resolves it per request. */
    private final String token;
    /**
     * A user whose identity this member verified (a client certificate's common name, or a checked password),
     * used when there is no token (null: none).
     */
    private final String verifiedUser;

    KetcdServer(ServerConfig config, MemberIdentity identity, MvccStore store, RaftNode raft, Alarms alarms,
                ClusterMembers members, Lessor lessor, WatchHub watchHub, AuthStore auth) {
        this.lessor = lessor;
        this.leaseIds = new LeaseIds(identity.memberId(), System.currentTimeMillis());
        this.watchHub = watchHub;
        this.members = members;
        this.membership = new Membership(config, identity, members, raft);
        this.config = config;
        this.quotaBackendBytes = new java.util.concurrent.atomic.AtomicLong(config.quotaBackendBytes());
        this.defrags = org.ketcd.api.DurationHistogram.forDefrags();
        this.defragsRunning = new java.util.concurrent.atomic.AtomicInteger();
        this.snapshots = org.ketcd.api.DurationHistogram.forSnapshots();
        this.identity = identity;
        this.store = store;
        this.raft = raft;
        this.alarms = alarms;
        this.auth = auth;
        this.recipeSteps = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ketcd-lock-election");
            t.setDaemon(true);
            return t;
        });
        this.token = null;
        this.verifiedUser = null;
        this.locks = new Locks(this, recipeSteps);
        this.elections = new Elections(this, recipeSteps);
    }

    /**
     * The same member, serving the caller of {@code token}, or else {@code verifiedUser} (a client certificate's
     * common name, or a user whose password was checked).
     */
    private KetcdServer(KetcdServer member, String token, String verifiedUser) {
        this.lessor = member.lessor;
        this.leaseIds = member.leaseIds;
        this.watchHub = member.watchHub;
        this.members = member.members;
        this.membership = member.membership;
        this.config = member.config;
        this.quotaBackendBytes = member.quotaBackendBytes;
        this.defrags = member.defrags;
        this.defragsRunning = member.defragsRunning;
        this.snapshots = member.snapshots;
        this.identity = member.identity;
        this.store = member.store;
        this.raft = member.raft;
        this.alarms = member.alarms;
        this.auth = member.auth;
        this.recipeSteps = member.recipeSteps;
        this.token = token;
        this.verifiedUser = verifiedUser;
        // a lock or campaign reads and writes its keys as its caller, as etcd's v3lock client does
        this.locks = new Locks(this, recipeSteps);
        this.elections = new Elections(this, recipeSteps);
    }

    @Override
    public EtcdServer withToken(String callerToken) {
        return java.util.Objects.equals(callerToken, token) && verifiedUser == null ? this
                : new KetcdServer(this, callerToken, null);
    }

    @Override
    public EtcdServer withCertificateUser(String commonName) {
        return new KetcdServer(this, null, commonName);
    }

    @Override
    public EtcdServer withPassword(String user, String password) {
        auth.checkUserPassword(user, password);
        return new KetcdServer(this, null, user);
    }

    @Override
    public EtcdAuth auth() {
        return new ServerAuth(this, auth, raft);
    }

    /** How long a member waits to apply a token another member just handed out before calling it invalid. */
    private static final long TOKEN_CATCH_UP_MS = 5_000;

    /**
     * The caller of this request: none without a token; refused with INVALID_AUTH_TOKEN for a token that is
     * not live. A token handed out by another member may not be applied here yet: a read barrier waits until
     * this member applied everything committed now, which includes it (etcd waits for the token's index).
     */
    Caller caller() {
        if (token == null) {
            return verifiedUser == null ? Caller.NONE : new Caller(verifiedUser, auth.revision());
        }
        Caller caller = auth.callerOf(token);
        if (caller == null) {
            try {
                raft.readBarrier().get(TOKEN_CATCH_UP_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // no barrier: the token stays unknown
            }
            caller = auth.callerOf(token);
        }
        if (caller == null) {
            throw EtcdError.INVALID_AUTH_TOKEN.exception();
        }
        return caller;
    }

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest request) {
        return attempt(() -> {
            RequestChecks.checkRange(request);
            Caller caller = caller();
            if (request.serializable()) {
                auth.checkRead(caller, request.key(), request.rangeEnd());
                return CompletableFuture.completedFuture(store.range(request));
            }
            refuseIfLearner();
            return raft.readBarrier().thenApply(ready -> {
                auth.checkRead(callerNow(), request.key(), request.rangeEnd());
                return store.range(request);
            });
        });
    }

    @Override
    public CompletableFuture<PutResponse> put(PutRequest request) {
        return attempt(() -> {
            RequestChecks.checkPut(request);
            return propose(new Command.Put(request), quotaCost(request));
        });
    }

    @Override
    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
        return attempt(() -> {
            RequestChecks.checkDelete(request);
            return propose(new Command.DeleteRange(request), 0);
        });
    }

    @Override
    public CompletableFuture<TxnResponse> txn(TxnRequest request) {
        return attempt(() -> {
            RequestChecks.checkTxn(request, config.maxTxnOps());
            if (!StoreApplier.hasPut(request) && !hasDelete(request)) {
                // A transaction that writes nothing needs no log entry, as in etcd: a read barrier is
                // enough, and none at all when every range in it is serializable.
                Caller caller = caller();
                if (allRangesSerializable(request)) {
                    auth.checkTxn(caller, request);
                    return CompletableFuture.completedFuture(store.txn(request));
                }
                refuseIfLearner();
                return raft.readBarrier().thenApply(ready -> {
                    auth.checkTxn(callerNow(), request);
                    return store.txn(request);
                });
            }
            return propose(new Command.Txn(request), quotaCost(request));
        });
    }

    /** A learner serves serializable reads only, as etcd's learners do. */
    private void refuseIfLearner() {
        if (isLearner()) {
            throw EtcdError.NOT_SUPPORTED_FOR_LEARNER.exception();
        }
    }

    private boolean isLearner() {
        Member self = members.get(identity.memberId());
        return self != null && self.learner();
    }

    /** etcd's isTxnSerializable: every operation of both branches is a serializable range. */
    private static boolean allRangesSerializable(TxnRequest txn) {
        for (var ops : List.of(txn.success(), txn.failure())) {
            for (var op : ops) {
                if (op.range() == null || !op.range().serializable()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** etcd's quota cost of a transaction: the puts of its larger branch, each as a single put would cost. */
    private static long quotaCost(TxnRequest txn) {
        return Math.max(quotaCost(txn.success()), quotaCost(txn.failure()));
    }

    private static long quotaCost(List<org.ketcd.api.RequestOp> branch) {
        long cost = 0;
        for (var op : branch) {
            cost += op.put() != null ? quotaCost(op.put()) : op.txn() != null ? quotaCost(op.txn()) : 0;
        }
        return cost;
    }

    private static long quotaCost(PutRequest put) {
        return QUOTA_KV_OVERHEAD + put.key().length + put.value().length;
    }

    private static boolean hasDelete(TxnRequest txn) {
        for (var ops : List.of(txn.success(), txn.failure())) {
            for (var op : ops) {
                if (op.delete() != null || op.txn() != null && hasDelete(op.txn())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
        return attempt(() -> propose(new Command.Compact(request), 0));
    }

    /**
     * The caller again, after a read barrier, at the auth revision this member applied by now (as etcd checks
     * a linearizable read's credentials after its read index); never waits.
     */
    Caller callerNow() {
        if (token == null) {
            return verifiedUser == null ? Caller.NONE : new Caller(verifiedUser, auth.revision());
        }
        Caller caller = auth.callerOf(token);
        if (caller == null) {
            throw EtcdError.INVALID_AUTH_TOKEN.exception();
        }
        return caller;
    }

    /** Proposes a client's command that adds no data, with its sender (for the auth service). */
    <T> CompletableFuture<T> proposeAs(Command command) {
        return propose(command, 0);
    }

    /**
     * Proposes a client's command with its sender, checked by every member as it applies it. A caller without
     * credentials sends the command as it is (the log then reads as before auth existed, so members of an
     * earlier build follow it) and it is applied as a request without a user; except a lease revoke, which
     * without a sender is the member's own (expiry) and trusted.
     */
    private <T> CompletableFuture<T> propose(Command command, long quotaCost) {
        Caller caller = caller();
        boolean anonymous = caller.user().isEmpty() && !(command instanceof Command.LeaseRevoke);
        return proposeAsIs(anonymous ? command : new Command.AsUser(caller.user(), caller.authRevision(), command), quotaCost);
    }

    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> proposeAsIs(Command command, long quotaCost) {
        refuseIfLearner();
        int size = raft.encodedSize(command);
        if (size > config.maxRequestBytes()) {
            throw EtcdError.REQUEST_TOO_LARGE.exception();
        }
        if (quotaCost > 0 && !quotaAvailable(quotaCost)) {
            // As etcd: raise the NOSPACE alarm cluster-wide through Raft, and refuse this write.
            if (!alarms.isActive(AlarmType.NOSPACE)) {
                raft.propose(new Command.AlarmChange(true, new Alarm(identity.memberId(), AlarmType.NOSPACE)));
            }
            throw EtcdError.NO_SPACE.exception();
        }
        return (CompletableFuture<T>) raft.propose(command, size);
    }

    /** Sets the backend quota of the running member (a configuration change), as {@link ServerConfig#quotaBackendBytes()} gives it. */
    void quotaBackendBytes(long bytes) {
        quotaBackendBytes.set(bytes);
    }

    private boolean quotaAvailable(long cost) {
        return store.dbSize() + cost <= quotaBackendBytes.get();
    }

    /** Runs a request step, turning a synchronous refusal into a failed future. */
    /** The step's future, or a failed one when the step refuses the request by throwing etcd's error. */
    static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> step) {
        try {
            return step.get();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<StatusResponse> status() {
        List<String> errors = alarms.list().stream()
                .map(a -> "memberID:" + Long.toUnsignedString(a.memberId()) + " alarm:" + a.type() + " ").toList();
        return CompletableFuture.completedFuture(new StatusResponse(store.currentRevision(), ServerConfig.ETCD_VERSION,
                store.dbSize(), store.dbSizeInUse(), raft.leaderId(), raft.lastLogIndex(), raft.term(),
                raft.appliedIndex(), errors, isLearner()));
    }

    @Override
    public org.ketcd.api.ServerStats stats() {
        return new org.ketcd.api.ServerStats(identity.memberId(), raft.leaderChanges(), raft.lastLogIndex(),
                raft.proposalsPending(), raft.proposalsFailed(), store.keyCount(), store.compactRevision(), watchHub.size(),
                quotaBackendBytes.get(), store.commitDurations(), raft.logSyncDurations(), raft.peerRoundTrips(),
                lessor.counts(), store.opCounts(), watchHub.counts(), defrags.snapshot(), defragsRunning.get(),
                snapshots.snapshot(), raft.snapshotSaveDurations());
    }

    @Override
    public List<Alarm> alarms() {
        return alarms.list();
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<Alarm>> activateAlarm(Alarm alarm) {
        return attempt(() -> this.<Object>propose(new Command.AlarmChange(true, alarm), 0).thenApply(r -> (List<Alarm>) r));
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<Alarm>> deactivateAlarm(Alarm alarm) {
        return attempt(() -> this.<Object>propose(new Command.AlarmChange(false, alarm), 0).thenApply(r -> (List<Alarm>) r));
    }

    @Override
    public CompletableFuture<Void> defragment() {
        return defragment(step -> {
        });
    }

    @Override
    public CompletableFuture<Void> defragment(java.util.function.Consumer<String> progress) {
        return attempt(() -> {
            checkMaintenanceAdmin();
            return CompletableFuture.runAsync(() -> defragmentTimed(progress));
        });
    }

    private void defragmentTimed(java.util.function.Consumer<String> progress) {
        long start = System.nanoTime();
        defragsRunning.incrementAndGet();
        try {
            store.defragment(progress);
            defrags.observe(System.nanoTime() - start);
        } finally {
            defragsRunning.decrementAndGet();
        }
    }

    @Override
    public CompletableFuture<Integer> hash() {
        return attempt(() -> {
            checkMaintenanceAdmin();
            return CompletableFuture.completedFuture(store.hash());
        });
    }

    @Override
    public CompletableFuture<HashKvResponse> hashKv(long revision) {
        return attempt(() -> {
            checkMaintenanceAdmin();
            return CompletableFuture.completedFuture(store.hashKv(revision));
        });
    }

    /** etcd's admin rule for membership requests: the root role once auth is enabled. */
    private void checkAdmin() {
        auth.checkAdmin(caller());
    }

    /** The admin rule for maintenance requests, refused with the auth store's unmapped error as etcd's. */
    private void checkMaintenanceAdmin() {
        try {
            checkAdmin();
        } catch (EtcdException e) {
            throw EtcdError.unmappedAuth(e);
        }
    }

    @Override
    public List<Member> members() {
        return members.list();
    }

    @Override
    public CompletableFuture<MemberAddResponse> addMember(List<String> peerUrls, boolean learner) {
        return attempt(() -> {
            checkAdmin();
            return membership.add(peerUrls, learner);
        });
    }

    @Override
    public CompletableFuture<List<Member>> removeMember(long memberId) {
        return attempt(() -> {
            checkAdmin();
            return membership.remove(memberId);
        });
    }

    @Override
    public CompletableFuture<List<Member>> updateMember(long memberId, List<String> peerUrls) {
        return attempt(() -> {
            checkAdmin();
            return membership.update(memberId, peerUrls);
        });
    }

    @Override
    public CompletableFuture<List<Member>> promoteMember(long memberId) {
        return attempt(() -> {
            checkAdmin();
            return membership.promote(memberId);
        });
    }

    @Override
    public CompletableFuture<java.nio.file.Path> snapshot() {
        try {
            checkMaintenanceAdmin();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                java.nio.file.Path file = SnapshotFile.write(raft::writeSnapshot);
                snapshots.observe(System.nanoTime() - start);
                return file;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    public CompletableFuture<Void> moveLeader(long targetMemberId) {
        return attempt(() -> membership.moveLeader(targetMemberId));
    }

    /**
     * Announces this member's name and client URLs to the cluster (etcd's publish) unless the
     * replicated member list already has them; completes once applied.
     */
    CompletableFuture<Void> publishSelf() {
        Member current = members.get(identity.memberId());
        List<String> clientUrls = config.advertiseClientUrls().stream().map(URI::toString).toList();
        if (current == null || current.name().equals(config.name()) && current.clientUrls().equals(clientUrls)) {
            return CompletableFuture.completedFuture(null);
        }
        Member self = new Member(current.id(), config.name(), current.peerUrls(), clientUrls, current.learner());
        return attempt(() -> raft.propose(new Command.MemberChange(Command.MemberChange.Kind.PUBLISH, self))).thenApply(r -> null);
    }

    // ---- leases

    /** How long a lease query waits for a member that leads, across an election (then: no leader). */
    private static final long LEASE_LEADER_WAIT_MS = 7_000;
    /** Pause before asking again when the member reached no longer leads. */
    private static final long LEASE_RETRY_PAUSE_MS = 50;

    @Override
    public CompletableFuture<LeaseGrantResponse> leaseGrant(long ttl, long id) {
        return attempt(() -> {
            if (ttl > Lessor.MAX_TTL_SECONDS) {
                throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
            }
            return propose(new Command.LeaseGrant(id != 0 ? id : leaseIds.next(), ttl), 0);
        });
    }

    @Override
    public CompletableFuture<Long> leaseRevoke(long id) {
        return attempt(() -> propose(new Command.LeaseRevoke(id), 0));
    }

    @Override
    public CompletableFuture<LeaseKeepAliveResponse> leaseKeepAlive(long id) {
        return attempt(() -> {
            refuseIfLearner();
            return askLeader(LeaseQueries.keepAlive(id), deadlineFromNow())
                    .thenApply(a -> new LeaseKeepAliveResponse(store.currentRevision(), id, a == null ? 0 : a.ttl()));
        });
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long id, boolean keys) {
        return attempt(() -> {
            refuseIfLearner();
            return askLeader(LeaseQueries.timeToLive(id, keys), deadlineFromNow()).thenApply(a -> a == null
                    ? new LeaseTimeToLiveResponse(store.currentRevision(), id, -1, 0, List.of())
                    : new LeaseTimeToLiveResponse(store.currentRevision(), id, a.ttl(), a.grantedTtl(), a.keys()));
        });
    }

    @Override
    public CompletableFuture<List<Long>> leases() {
        return attempt(() -> {
            refuseIfLearner();
            return CompletableFuture.completedFuture(lessor.ids());
        });
    }

    /** The answer of the leader's lessor: here if this member leads, else through Raft; null: no such lease. */
    private CompletableFuture<LeaseQueries.Answer> askLeader(byte[] query, long deadline) {
        CompletableFuture<byte[]> answer = lessor.isPrimary()
                ? CompletableFuture.completedFuture(LeaseQueries.answer(query, lessor, store))
                : raft.leaderQuery(query);
        return answer.thenApply(LeaseQueries::decode).handle((a, error) -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (!(cause instanceof LeaseQueries.NotPrimaryException)) {
                return cause == null ? CompletableFuture.completedFuture(a) : CompletableFuture.<LeaseQueries.Answer>failedFuture(cause);
            }
            // A leader change is under way: ask again once a new leader has promoted its lessor.
            if (System.currentTimeMillis() + LEASE_RETRY_PAUSE_MS > deadline) {
                return CompletableFuture.<LeaseQueries.Answer>failedFuture(EtcdError.NO_LEADER.exception());
            }
            return CompletableFuture.supplyAsync(() -> null,
                            CompletableFuture.delayedExecutor(LEASE_RETRY_PAUSE_MS, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> askLeader(query, deadline));
        }).thenCompose(f -> f);
    }

    private static long deadlineFromNow() {
        return System.currentTimeMillis() + LEASE_LEADER_WAIT_MS;
    }

    @Override
    public long currentRevision() {
        return store.currentRevision();
    }

    @Override
    public ResponseHeader header(long revision) {
        return new ResponseHeader(identity.clusterId(), identity.memberId(), revision, raft.term());
    }

    @Override
    public int maxRequestBytes() {
        return config.maxRequestBytes();
    }

    @Override
    public int maxTxnOps() {
        return config.maxTxnOps();
    }

    /**
     * Watches are served by this member alone, from its own store, as etcd's (no Raft round trip); a
     * learner refuses them as etcd refuses every stream on a learner.
     */
    @Override
    public Watch watch(WatchRequest request, WatchListener listener) {
        refuseIfLearner();
        auth.checkRead(caller(), request.key(), request.rangeEnd());
        return watchHub.watch(request, listener);
    }

    // ---- v3lock and v3election, built on the requests above as etcd's server builds them

    @Override
    public CompletableFuture<LockResponse> lock(byte[] name, long lease) {
        return attempt(() -> {
            refuseIfLearner();
            return locks.lock(name, lease);
        });
    }

    @Override
    public CompletableFuture<Long> unlock(byte[] key) {
        return locks.unlock(key);
    }

    @Override
    public CompletableFuture<CampaignResponse> campaign(byte[] name, long lease, byte[] value) {
        return attempt(() -> {
            refuseIfLearner();
            return elections.campaign(name, lease, value);
        });
    }

    @Override
    public CompletableFuture<Long> proclaim(LeaderKey leader, byte[] value) {
        return elections.proclaim(leader, value);
    }

    @Override
    public CompletableFuture<LeaderResponse> leader(byte[] name) {
        return elections.leader(name);
    }

    @Override
    public CompletableFuture<Long> resign(LeaderKey leader) {
        return elections.resign(leader);
    }

    @Override
    public AutoCloseable observe(byte[] name, java.util.function.Consumer<LeaderResponse> observer,
                                 java.util.function.Consumer<Throwable> failed) {
        return elections.observe(name, observer, failed);
    }

    /** Stops the lock and election steps; for the member's shutdown. */
    void close() {
        recipeSteps.shutdownNow();
    }
}
