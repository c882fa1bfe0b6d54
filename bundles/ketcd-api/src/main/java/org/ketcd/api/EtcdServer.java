package org.ketcd.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one server interface every adapter (gRPC, REST, shell, Camel) calls. Writes go through Raft;
 * a failed future carries an {@link EtcdException} for every refusal a client should see.
 */
public interface EtcdServer {

    CompletableFuture<RangeResponse> range(RangeRequest request);

    CompletableFuture<PutResponse> put(PutRequest request);

    CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request);

    CompletableFuture<TxnResponse> txn(TxnRequest request);

    CompletableFuture<CompactionResponse> compact(CompactionRequest request);

    CompletableFuture<StatusResponse> status();

    /** Lists active alarms; {@code memberId} 0 means all members. */
    List<Alarm> alarms();

    CompletableFuture<List<Alarm>> activateAlarm(Alarm alarm);

    CompletableFuture<List<Alarm>> deactivateAlarm(Alarm alarm);

    CompletableFuture<Void> defragment();

    /** CRC-32C over the whole backend, as Maintenance.Hash. */
    CompletableFuture<Integer> hash();

    CompletableFuture<HashKvResponse> hashKv(long revision);

    List<Member> members();

    /** Cluster.MemberAdd: registers a member to be started with --initial-cluster-state existing. */
    CompletableFuture<MemberAddResponse> addMember(List<String> peerUrls, boolean learner);

    /** Cluster.MemberRemove: the member list after the removal. */
    CompletableFuture<List<Member>> removeMember(long memberId);

    /** Cluster.MemberUpdate: changes a member's peer URLs; the member list after the change. */
    CompletableFuture<List<Member>> updateMember(long memberId, List<String> peerUrls);

    /** Cluster.MemberPromote: makes a learner that caught up a voting member. */
    CompletableFuture<List<Member>> promoteMember(long memberId);

    /**
     * Maintenance.Snapshot: writes a consistent copy of this member's state into a new temporary file
     * (the caller streams and deletes it), ending with the SHA-256 of what precedes it, as etcd's stream.
     */
    CompletableFuture<java.nio.file.Path> snapshot();

    /** Maintenance.MoveLeader: hands leadership to {@code targetMemberId}; only the leader may. */
    CompletableFuture<Void> moveLeader(long targetMemberId);

    /** The store's current revision (cheap: no I/O). */
    long currentRevision();

    /** The header for a response at the given store revision. */
    ResponseHeader header(long revision);

    /** {@code --max-request-bytes}: adapters refuse larger requests with {@link EtcdError#REQUEST_TOO_LARGE}. */
    int maxRequestBytes();

    /**
     * Opens a watcher (etcd's Watch create) on this member. Refuses an empty range with an
     * IllegalArgumentException carrying {@link WatchRequest#EMPTY_RANGE}, and a learner member with
     * {@link EtcdError#NOT_SUPPORTED_FOR_LEARNER}.
     */
    Watch watch(WatchRequest request, WatchListener listener);
}
