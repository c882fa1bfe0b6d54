package org.ketcd.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one server interface every adapter (gRPC, REST, shell, Camel) calls. Writes go through Raft;
 * a failed future carries an {@link EtcdException} for every refusal a client should see.
 */
public interface EtcdServer {

    /**
     * This server as the user a token names (etcd's {@code token} metadata, the gateway's
     * {@code Authorization} header). Without a token ({@code null}) the caller has no user: once auth is
     * enabled its requests fail with {@link EtcdError#USER_EMPTY}. An unknown or expired token fails every
     * request with {@link EtcdError#INVALID_AUTH_TOKEN}.
     */
    EtcdServer withToken(String token);

    /**
     * This server as the user named by the common name of the caller's verified client certificate (etcd's
     * {@code --client-cert-auth} rule, for a call that carries no token).
     */
    EtcdServer withCertificateUser(String commonName);

    /**
     * This server as {@code user}, whose password is checked here (HTTP Basic credentials on Ketcd's REST API,
     * a Camel endpoint's user; etcd's clients authenticate for a token instead). Refused with
     * {@link EtcdError#AUTH_FAILED} for a wrong user or password; with auth disabled, a user that does not
     * exist yet is taken as given (nothing is checked until auth is enabled).
     */
    EtcdServer withPassword(String user, String password);

    /** etcd's Auth service for this server's caller. */
    EtcdAuth auth();

    CompletableFuture<RangeResponse> range(RangeRequest request);

    CompletableFuture<PutResponse> put(PutRequest request);

    CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request);

    CompletableFuture<TxnResponse> txn(TxnRequest request);

    CompletableFuture<CompactionResponse> compact(CompactionRequest request);

    CompletableFuture<StatusResponse> status();

    /** This member's counters for {@code /metrics}; cheap, never waits for Raft. */
    ServerStats stats();

    /** Lists active alarms; {@code memberId} 0 means all members. */
    List<Alarm> alarms();

    CompletableFuture<List<Alarm>> activateAlarm(Alarm alarm);

    CompletableFuture<List<Alarm>> deactivateAlarm(Alarm alarm);

    CompletableFuture<Void> defragment();

    /**
     * {@link #defragment()}, calling {@code progress} on the defragmenting thread as each step begins: the store's
     * tables, one at a time ("table 2 of 6 (VAL)").
     */
    default CompletableFuture<Void> defragment(java.util.function.Consumer<String> progress) {
        return defragment();
    }

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

    /**
     * Lease.LeaseGrant: {@code id} 0 lets the server choose one; a TTL below the minimum (from the
     * election timeout, as etcd) is raised to it.
     */
    CompletableFuture<LeaseGrantResponse> leaseGrant(long ttl, long id);

    /** Lease.LeaseRevoke: deletes the lease's keys in one revision; returns the revision after. */
    CompletableFuture<Long> leaseRevoke(long id);

    /** One Lease.LeaseKeepAlive renewal, decided by the leader. */
    CompletableFuture<LeaseKeepAliveResponse> leaseKeepAlive(long id);

    /** Lease.LeaseTimeToLive, with the attached keys when {@code keys}. */
    CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long id, boolean keys);

    /** Lease.LeaseLeases: the ids of all granted leases, soonest to expire first (on the leader). */
    CompletableFuture<List<Long>> leases();

    /**
     * v3lock Lock: waits until the lock {@code name} is held by the key {@code name/<lease in hex>}, which
     * lives as long as the lease. Cancelling the future while it waits gives up (the key is deleted).
     * A lock is only as safe as its lease: a holder whose lease expires loses the lock without being
     * told, so guard writes with the returned key's revision (fencing), as etcd documents.
     */
    CompletableFuture<LockResponse> lock(byte[] name, long lease);

    /** v3lock Unlock: deletes the lock key; returns the revision after. */
    CompletableFuture<Long> unlock(byte[] key);

    /** v3election Campaign: waits until this campaigner leads {@code name}; cancelling the future gives up. */
    CompletableFuture<CampaignResponse> campaign(byte[] name, long lease, byte[] value);

    /** v3election Proclaim: the leader sets a new value; {@link EtcdError#ELECTION_NOT_LEADER} if it no longer leads. */
    CompletableFuture<Long> proclaim(LeaderKey leader, byte[] value);

    /** v3election Leader: the current leader; {@link EtcdError#ELECTION_NO_LEADER} if none. */
    CompletableFuture<LeaderResponse> leader(byte[] name);

    /** v3election Resign: gives up leadership (nothing happens if {@code leader} no longer leads). */
    CompletableFuture<Long> resign(LeaderKey leader);

    /**
     * v3election Observe: tells {@code observer} the leader now and at every change of leader or of its
     * value, in order, until closed or until {@code failed} is told why it stopped.
     */
    AutoCloseable observe(byte[] name, java.util.function.Consumer<LeaderResponse> observer,
                          java.util.function.Consumer<Throwable> failed);

    /** The store's current revision (cheap: no I/O). */
    long currentRevision();

    /** The header for a response at the given store revision. */
    ResponseHeader header(long revision);

    /** {@code --max-request-bytes}: adapters refuse larger requests with {@link EtcdError#REQUEST_TOO_LARGE}. */
    int maxRequestBytes();

    /** {@code --max-txn-ops}: the most operations in one branch (or the compares) of a transaction. */
    int maxTxnOps();

    /**
     * Opens a watcher (etcd's Watch create) on this member. Refuses an empty range with an
     * IllegalArgumentException carrying {@link WatchRequest#EMPTY_RANGE}, and a learner member with
     * {@link EtcdError#NOT_SUPPORTED_FOR_LEARNER}.
     */
    Watch watch(WatchRequest request, WatchListener listener);
}
