package org.ketcd.raft;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.ketcd.api.EtcdError;

/**
 * Hands requests to Raft. Writes go to the leader: in-process when this member leads, otherwise to the
 * leader's peer port with this member's credential there (as an etcd follower forwards proposals to its
 * leader; see {@link ForwardedRequests}). Read-index rounds always start locally: Ratis asks the leader for the read index and waits
 * until this member has applied up to it. While there is no ready leader a request is retried after a
 * pause, until a deadline; then the caller hears etcd's "no leader" or "request timed out".
 */
final class Submitter implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Submitter.class);
    /** How long a request may wait for a leader before it fails. */
    static final long REQUEST_TIMEOUT_MS = 7_000;
    /** Pause between attempts while there is no ready leader; never a busy loop. */
    static final long RETRY_PAUSE_MS = 50;

    private final RaftServer server;
    private final RaftPeerId self;
    private final RaftGroupId group;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    /** Forwards requests to the leader; connections are opened on first use, one per leader. */
    private final PeerClient peers;
    /** Schedules retries and each request's deadline (a cancelled deadline leaves the queue at once). */
    private final java.util.concurrent.ScheduledThreadPoolExecutor retries = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "ketcd-raft-retry");
        t.setDaemon(true);
        return t;
    });
    {
        retries.setRemoveOnCancelPolicy(true);
    }
    private volatile boolean closed;
    /** Requests not answered yet: failed with "server stopped" when this member stops. */
    private final java.util.Set<CompletableFuture<RaftClientReply>> outstanding = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Where replies from Ratis are handed to their callers (one thread: replies arrive per batch, not per request). */
    private final java.util.concurrent.ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ketcd-raft-callbacks");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.ExecutorService admin = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ketcd-raft-admin");
        t.setDaemon(true);
        return t;
    });

    Submitter(RaftServer server, RaftPeerId self, RaftGroupId group, PeerClient peers) {
        this.server = server;
        this.self = self;
        this.group = group;
        this.peers = peers;
    }

    /**
     * A write, stamped with its deadline (epoch ms): the leader appends it only before then (see
     * {@link WriteDeadline}), and it fails with "request timed out" at that deadline if not committed. Cancelling
     * the answer stops further attempts.
     */
    CompletableFuture<RaftClientReply> write(Message message, long deadline) {
        CompletableFuture<RaftClientReply> result = bounded(deadline);
        attempt(WriteDeadline.stamp(message, deadline), RaftClientRequest.writeRequestType(), true,
                callIds.incrementAndGet(), deadline, result);
        return result;
    }

    /** A linearizable read-index round; the state machine's query runs once the local apply caught up. */
    CompletableFuture<RaftClientReply> readIndex() {
        return submit(Message.EMPTY, RaftClientRequest.readRequestType(), false);
    }

    /** A query answered by the leader's state machine (after a read index there), wherever this member is. */
    CompletableFuture<RaftClientReply> leaderQuery(Message message) {
        return submit(message, RaftClientRequest.readRequestType(), true);
    }

    private CompletableFuture<RaftClientReply> submit(Message message, RaftClientRequest.Type type, boolean atLeader) {
        long deadline = System.currentTimeMillis() + REQUEST_TIMEOUT_MS;
        CompletableFuture<RaftClientReply> result = bounded(deadline);
        attempt(message, type, atLeader, callIds.incrementAndGet(), deadline, result);
        return result;
    }

    /**
     * A request's answer, failed with etcd's "request timed out" at its deadline if Raft has not answered by
     * then (etcd bounds every proposal by its request timeout; Ratis alone would let some wait for good), and
     * with "server stopped" once this member stops.
     */
    private CompletableFuture<RaftClientReply> bounded(long deadline) {
        CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
        try {
            // A little past the deadline: an attempt that fails just before it reports its own, truer error.
            var timer = retries.schedule(() -> result.completeExceptionally(EtcdError.TIMEOUT.exception()),
                    deadline - System.currentTimeMillis() + RETRY_PAUSE_MS, TimeUnit.MILLISECONDS);
            outstanding.add(result);
            result.whenComplete((r, e) -> {
                timer.cancel(false);
                outstanding.remove(result);
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            result.completeExceptionally(EtcdError.STOPPED.exception());
        }
        if (closed) { // closed meanwhile: close() may have missed this one
            result.completeExceptionally(EtcdError.STOPPED.exception());
        }
        return result;
    }

    /**
     * Every attempt of one request carries the same call id: an attempt that reached a leader's log before
     * the leader died may still be committed by the next leader, and Ratis' retry cache (keyed by client
     * and call id, filled on every member as it applies) then answers the retry instead of appending the
     * write a second time (seen: one put applied at two revisions after a leader kill, FailoverTimeTest).
     */
    private void attempt(Message message, RaftClientRequest.Type type, boolean atLeader, long callId, long deadline,
                         CompletableFuture<RaftClientReply> result) {
        if (closed) {
            result.completeExceptionally(EtcdError.STOPPED.exception());
            return;
        }
        if (result.isDone()) {
            return; // timed out, or called off by its caller while waiting for the next attempt
        }
        CompletableFuture<RaftClientReply> reply;
        try {
            RaftPeer leader = atLeader ? remoteLeader() : null;
            RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId)
                    .setServerId(leader == null ? self : leader.getId()).setGroupId(group)
                    .setCallId(callId).setMessage(message).setType(type).build();
            reply = leader == null ? server.submitClientRequestAsync(request) : forward(leader, request, deadline);
        } catch (IOException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        // Continue on our own thread, never on the Ratis thread that completed the reply: a caller that
        // reacts by submitting again (the next read-index round, the next batch) would otherwise call
        // into Ratis while Ratis holds its own locks (a deadlock seen with a read index completed
        // inside ReadIndexHeartbeats' monitor, blocking the leader's step-down for good).
        reply.whenComplete((r, error) -> {
            try {
                callbacks.execute(() -> answered(r, error, message, type, atLeader, callId, deadline, result));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                result.completeExceptionally(EtcdError.STOPPED.exception());
            }
        });
    }

    /**
     * A failure to reach a peer: an IOException, or a gRPC status from Ratis' transport (a read index asked of a
     * leader whose connection broke, e.g. right after that member restarted, fails with "UNAVAILABLE: io
     * exception"). Retried like a missing leader until the deadline.
     */
    private static boolean unreachable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException) {
                return true;
            }
        }
        return false;
    }

    private void answered(RaftClientReply r, Throwable error, Message message, RaftClientRequest.Type type, boolean atLeader,
                          long callId, long deadline, CompletableFuture<RaftClientReply> result) {
        if (result.isDone()) {
            return; // the deadline passed, or the member stopped
        }
        // Retried: no leader known or ready, a leader stepping down, a peer unreachable, or a read index the
        // (maybe former) leader or a follower installing a snapshot could not give - all of which settle
        // within the deadline, or the client hears etcd's error.
        boolean noLeader = error != null ? unreachable(error)
                : !r.isSuccess() && (r.getNotLeaderException() != null || r.getLeaderNotReadyException() != null
                        || r.getLeaderSteppingDownException() != null || r.getReadIndexException() != null
                        // e.g. "Failed to get readIndex as snapshot installation is in progress": settled once installed
                        || type.is(org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.READ) && r.getReadException() != null);
        if (closed) {
            result.completeExceptionally(EtcdError.STOPPED.exception());
        } else if (noLeader && System.currentTimeMillis() + RETRY_PAUSE_MS < deadline) {
            try {
                retries.schedule(() -> attempt(message, type, atLeader, callId, deadline, result), RETRY_PAUSE_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                result.completeExceptionally(EtcdError.STOPPED.exception());
            }
        } else if (error != null || !r.isSuccess()) {
            if (!noLeader) {
                // Not a matter of leadership: the client hears etcd's timeout, the log says what Raft said.
                LOG.warn("a Raft {} request failed: {}", type.getTypeCase(), String.valueOf(error != null ? error : r));
            }
            result.completeExceptionally(noLeader ? EtcdError.NO_LEADER.exception() : EtcdError.TIMEOUT.exception());
        } else {
            result.complete(r);
        }
    }

    /**
     * Sends an administrative request (configuration change, leadership transfer) built for a target
     * server id to the leader: in-process when this member leads, otherwise to the leader's peer port.
     * One at a time: membership changes are serialized, as etcd applies one configuration change at once.
     */
    CompletableFuture<RaftClientReply> admin(java.util.function.Function<RaftPeerId, RaftClientRequest> request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                RaftPeer leader = remoteLeader();
                if (leader == null) {
                    RaftClientRequest r = request.apply(self);
                    if (r instanceof SetConfigurationRequest conf) {
                        return server.setConfiguration(conf);
                    }
                    return server.transferLeadership((TransferLeadershipRequest) r);
                }
                return adminAt(leader, request);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, admin);
    }

    /** Sends an administrative request to {@code target}'s peer port (no redirection). */
    CompletableFuture<RaftClientReply> adminTo(RaftPeer target, java.util.function.Function<RaftPeerId, RaftClientRequest> request) {
        return CompletableFuture.supplyAsync(() -> adminAt(target, request), admin);
    }

    private RaftClientReply adminAt(RaftPeer target, java.util.function.Function<RaftPeerId, RaftClientRequest> request) {
        return peers.call(target.getAddress(), PeerWire.ADMIN, ForwardedRequests.encodeAdmin(request.apply(target.getId())),
                        ADMIN_TIMEOUT_MS)
                .thenApply(ForwardedRequests::decodeReply).join();
    }

    /** How long a forwarded configuration change or leadership transfer may take. */
    static final long ADMIN_TIMEOUT_MS = 60_000;

    ClientId clientId() {
        return clientId;
    }

    long nextCallId() {
        return callIds.incrementAndGet();
    }

    /** The leader when it is another member whose address this member knows; null to submit locally. */
    private RaftPeer remoteLeader() throws IOException {
        RaftServer.Division division = server.getDivision(group);
        RaftPeerId leaderId = division.getInfo().getLeaderId();
        if (leaderId == null || leaderId.equals(self)) {
            return null;
        }
        return division.getRaftConf().getPeer(leaderId, RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER);
    }

    private CompletableFuture<RaftClientReply> forward(RaftPeer leader, RaftClientRequest request, long deadline) {
        long timeout = Math.max(1, deadline - System.currentTimeMillis());
        return peers.call(leader.getAddress(), PeerWire.SUBMIT, ForwardedRequests.encodeSubmit(request), timeout)
                .thenApply(ForwardedRequests::decodeReply);
    }

    @Override
    public void close() throws IOException {
        closed = true; // from now on every request, waiting or new, hears "server stopped"
        for (CompletableFuture<RaftClientReply> waiting : outstanding) {
            waiting.completeExceptionally(EtcdError.STOPPED.exception());
        }
        retries.shutdownNow();
        admin.shutdownNow();
        callbacks.shutdownNow();
    }
}
