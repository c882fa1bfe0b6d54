package org.ketcd.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.Message;
import org.ketcd.api.EtcdError;

/**
 * Batches client commands into Raft log entries: commands that arrive while an entry is in flight
 * travel together in the next one. Each Ratis entry costs about a CPU-millisecond and an fsync, so
 * this, not any Ratis setting, decides write throughput (../shared/VERSIONS.md).
 */
final class Proposer {
    /** Commands in one log entry at most. */
    static final int MAX_BATCH_COMMANDS = 512;
    /** Encoded bytes in one log entry at most (well below Ratis' 64 MiB gRPC message limit). */
    static final int MAX_BATCH_BYTES = 8 * 1024 * 1024;
    /** Log entries proposed but not yet answered; one keeps batches full and latency lowest. */
    static final int MAX_ENTRIES_IN_FLIGHT = 1;
    /** Commands queued or in flight; past this a client gets etcd's "too many requests" (etcd: 5000). */
    static final int MAX_PENDING_COMMANDS = 10_000;

    private record Queued(ProposedCommand command, int size) {
    }

    private final Submitter raft;
    private final CommandCodec codec;
    private final PendingRequests pending;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private int entriesInFlight;

    Proposer(Submitter raft, CommandCodec codec, PendingRequests pending) {
        this.raft = raft;
        this.codec = codec;
        this.pending = pending;
    }

    /** Queues a command; the future completes with its applied response. */
    void propose(ProposedCommand command, int encodedSize) {
        synchronized (this) {
            queue.add(new Queued(command, encodedSize));
        }
        sendWhileRoom();
    }

    boolean full() {
        return pending.size() >= MAX_PENDING_COMMANDS;
    }

    private void sendWhileRoom() {
        while (true) {
            List<ProposedCommand> batch;
            synchronized (this) {
                if (entriesInFlight >= MAX_ENTRIES_IN_FLIGHT || queue.isEmpty()) {
                    return;
                }
                batch = takeBatch();
                entriesInFlight++;
            }
            send(batch);
        }
    }

    private List<ProposedCommand> takeBatch() {
        List<ProposedCommand> batch = new ArrayList<>();
        int bytes = 0;
        while (!queue.isEmpty() && batch.size() < MAX_BATCH_COMMANDS
                && (batch.isEmpty() || bytes + queue.peek().size() <= MAX_BATCH_BYTES)) {
            Queued q = queue.poll();
            bytes += q.size();
            batch.add(q.command());
        }
        return batch;
    }

    private void send(List<ProposedCommand> batch) {
        CompletableFuture<?> sent;
        try {
            sent = raft.write(Message.valueOf(
                    org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(codec.encode(batch))));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((reply, error) -> {
            if (error != null) {
                // The entry may or may not be committed; as etcd, the client hears a timeout/no-leader error.
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                Throwable reported = cause instanceof org.ketcd.api.EtcdException ? cause : EtcdError.TIMEOUT.exception();
                for (ProposedCommand c : batch) {
                    pending.fail(c.requestId(), reported);
                }
            }
            synchronized (this) {
                entriesInFlight--;
            }
            sendWhileRoom();
        });
    }
}
