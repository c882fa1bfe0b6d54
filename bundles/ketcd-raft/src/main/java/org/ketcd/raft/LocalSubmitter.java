package org.ketcd.raft;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.ketcd.api.EtcdError;

/**
 * Hands requests to this member's Raft server in-process (no loopback RPC, no client-side state).
 * While the group has no ready leader the request is retried after a pause, until a deadline; then
 * the caller hears etcd's "request timed out".
 */
final class LocalSubmitter implements AutoCloseable {
    /** How long a request may wait for a leader before it fails. */
    static final long REQUEST_TIMEOUT_MS = 7_000;
    /** Pause between attempts while there is no ready leader; never a busy loop. */
    static final long RETRY_PAUSE_MS = 50;

    private final RaftServer server;
    private final RaftPeerId self;
    private final RaftGroupId group;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ketcd-raft-retry");
        t.setDaemon(true);
        return t;
    });

    LocalSubmitter(RaftServer server, RaftPeerId self, RaftGroupId group) {
        this.server = server;
        this.self = self;
        this.group = group;
    }

    CompletableFuture<RaftClientReply> write(Message message) {
        return submit(message, RaftClientRequest.writeRequestType());
    }

    /** A linearizable read-index round; the state machine's query runs once the local apply caught up. */
    CompletableFuture<RaftClientReply> readIndex() {
        return submit(Message.EMPTY, RaftClientRequest.readRequestType());
    }

    private CompletableFuture<RaftClientReply> submit(Message message, RaftClientRequest.Type type) {
        CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
        attempt(message, type, System.currentTimeMillis() + REQUEST_TIMEOUT_MS, result);
        return result;
    }

    private void attempt(Message message, RaftClientRequest.Type type, long deadline,
                         CompletableFuture<RaftClientReply> result) {
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(self)
                .setGroupId(group).setCallId(callIds.incrementAndGet()).setMessage(message).setType(type).build();
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = server.submitClientRequestAsync(request);
        } catch (IOException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> {
            boolean retriable = error == null && !r.isSuccess()
                    && (r.getNotLeaderException() != null || r.getLeaderNotReadyException() != null);
            if (retriable && System.currentTimeMillis() + RETRY_PAUSE_MS < deadline && !retries.isShutdown()) {
                retries.schedule(() -> attempt(message, type, deadline, result), RETRY_PAUSE_MS, TimeUnit.MILLISECONDS);
            } else if (error != null || !r.isSuccess()) {
                result.completeExceptionally(retriable ? EtcdError.NO_LEADER.exception() : EtcdError.TIMEOUT.exception());
            } else {
                result.complete(r);
            }
        });
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
