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
import org.ketcd.api.EtcdServer;
import org.ketcd.api.HashKvResponse;
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
    private final MemberIdentity identity;
    private final ClusterMembers members;
    private final Membership membership;
    private final MvccStore store;
    private final RaftNode raft;
    private final Alarms alarms;
    private final WatchHub watchHub;

    KetcdServer(ServerConfig config, MemberIdentity identity, MvccStore store, RaftNode raft, Alarms alarms,
                ClusterMembers members, WatchHub watchHub) {
        this.watchHub = watchHub;
        this.members = members;
        this.membership = new Membership(config, identity, members, raft);
        this.config = config;
        this.identity = identity;
        this.store = store;
        this.raft = raft;
        this.alarms = alarms;
    }

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest request) {
        return attempt(() -> {
            RequestChecks.checkRange(request);
            if (request.serializable()) {
                return CompletableFuture.completedFuture(store.range(request));
            }
            refuseIfLearner();
            return raft.readBarrier().thenApply(ready -> store.range(request));
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
                if (allRangesSerializable(request)) {
                    return CompletableFuture.completedFuture(store.txn(request));
                }
                refuseIfLearner();
                return raft.readBarrier().thenApply(ready -> store.txn(request));
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

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> propose(Command command, long quotaCost) {
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

    private boolean quotaAvailable(long cost) {
        return store.dbSize() + cost <= config.quotaBackendBytes();
    }

    /** Runs a request step, turning a synchronous refusal into a failed future. */
    private static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> step) {
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
        return CompletableFuture.completedFuture(new StatusResponse(store.currentRevision(), ServerConfig.ETCD_API_VERSION,
                store.dbSize(), store.dbSizeInUse(), raft.leaderId(), raft.lastLogIndex(), raft.term(),
                raft.appliedIndex(), errors, isLearner()));
    }

    @Override
    public List<Alarm> alarms() {
        return alarms.list();
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<Alarm>> activateAlarm(Alarm alarm) {
        return attempt(() -> raft.propose(new Command.AlarmChange(true, alarm)).thenApply(r -> (List<Alarm>) r));
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<Alarm>> deactivateAlarm(Alarm alarm) {
        return attempt(() -> raft.propose(new Command.AlarmChange(false, alarm)).thenApply(r -> (List<Alarm>) r));
    }

    @Override
    public CompletableFuture<Void> defragment() {
        return CompletableFuture.runAsync(store::defragment);
    }

    @Override
    public CompletableFuture<Integer> hash() {
        return CompletableFuture.completedFuture(store.hash());
    }

    @Override
    public CompletableFuture<HashKvResponse> hashKv(long revision) {
        return attempt(() -> CompletableFuture.completedFuture(store.hashKv(revision)));
    }

    @Override
    public List<Member> members() {
        return members.list();
    }

    @Override
    public CompletableFuture<MemberAddResponse> addMember(List<String> peerUrls, boolean learner) {
        return attempt(() -> membership.add(peerUrls, learner));
    }

    @Override
    public CompletableFuture<List<Member>> removeMember(long memberId) {
        return attempt(() -> membership.remove(memberId));
    }

    @Override
    public CompletableFuture<List<Member>> updateMember(long memberId, List<String> peerUrls) {
        return attempt(() -> membership.update(memberId, peerUrls));
    }

    @Override
    public CompletableFuture<List<Member>> promoteMember(long memberId) {
        return attempt(() -> membership.promote(memberId));
    }

    @Override
    public CompletableFuture<java.nio.file.Path> snapshot() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return SnapshotFile.write(raft::writeSnapshot);
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

    /**
     * Watches are served by this member alone, from its own store, as etcd's (no Raft round trip); a
     * learner refuses them as etcd refuses every stream on a learner.
     */
    @Override
    public Watch watch(WatchRequest request, WatchListener listener) {
        refuseIfLearner();
        return watchHub.watch(request, listener);
    }
}
