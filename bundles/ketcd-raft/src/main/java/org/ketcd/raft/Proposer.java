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
 * <p>
 * Every command has its own deadline, its arrival plus the request timeout, as an etcd proposal is bounded by
 * its request's context. A command still queued at its deadline is never proposed (its client hears "request
 * timed out"), and an entry carries the earliest deadline of its commands to the leader ({@link WriteDeadline}).
 * Without that, a command queued behind an entry that waited out a partition got a fresh deadline of its own,
 * reached the new leader after healing and was committed long after its client had been told it timed out
 * (PartitionTest, a 2/2 split: "no refused write appears after healing"). Likewise a command whose client gave
 * up while it was queued (its future cancelled) is never proposed, as etcd does not propose a request whose
 * context ended before raft took it, and an entry still waiting for a leader is called off once all its clients
 * gave up.
 */
final class Proposer {
    /** Commands in one log entry at most. */
    static final int MAX_BATCH_COMMANDS = 512;
    /** Encoded bytes in one log entry at most (well below Ratis' 64 MiB gRPC message limit). */
    static final int MAX_BATCH_BYTES = 8 * 1024 * 1024;
    /**
     * Log entries proposed but not yet answered. One keeps batches full: on 2 cores, CPU per entry is what bounds
     * writes, and 4 in flight lowered 3-member put throughput at 100 clients by a third (bench/RESULTS.md).
     */
    static final int MAX_ENTRIES_IN_FLIGHT = 1;
    /** Commands queued or in flight; past this a client gets etcd's "too many requests" (etcd: 5000). */
    static final int MAX_PENDING_COMMANDS = 10_000;

    private record Queued(ProposedCommand command, int size, long deadlineMs) {
    }

    /** Where an entry goes: Raft, which fails it at {@code deadlineMs} (epoch ms) if not committed by then. */
    interface EntryWriter {
        CompletableFuture<?> write(Message entry, long deadlineMs);
    }

    private final EntryWriter raft;
    private final CommandCodec codec;
    private final PendingRequests pending;
    private final long requestTimeoutMs;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private int entriesInFlight;
    /** Commands that timed out queued or whose entry Raft failed (etcd_server_proposals_failed_total). */
    private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();

    Proposer(EntryWriter raft, CommandCodec codec, PendingRequests pending, long requestTimeoutMs) {
        this.raft = raft;
        this.codec = codec;
        this.pending = pending;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** Queues a command; the future completes with its applied response. */
    void propose(ProposedCommand command, int encodedSize) {
        long deadline = System.currentTimeMillis() + requestTimeoutMs;
        synchronized (this) {
            queue.add(new Queued(command, encodedSize, deadline));
        }
        sendWhileRoom();
    }

    long failed() {
        return failed.sum();
    }

    boolean full() {
        return pending.size() >= MAX_PENDING_COMMANDS;
    }

    private void sendWhileRoom() {
        while (true) {
            List<Queued> expired = new ArrayList<>();
            List<ProposedCommand> batch = new ArrayList<>();
            long deadline;
            synchronized (this) {
                if (entriesInFlight >= MAX_ENTRIES_IN_FLIGHT || queue.isEmpty()) {
                    return;
                }
                deadline = takeBatch(batch, expired, System.currentTimeMillis());
                if (!batch.isEmpty()) {
                    entriesInFlight++;
                }
            }
            for (Queued q : expired) {
                pending.fail(q.command().requestId(), EtcdError.TIMEOUT.exception());
            }
            failed.add(expired.size());
            if (!batch.isEmpty()) {
                send(batch, deadline);
            }
        }
    }

    /** Moves the next entry's commands into {@code batch} and expired ones into {@code expired}; the entry's deadline. */
    private long takeBatch(List<ProposedCommand> batch, List<Queued> expired, long now) {
        long deadline = Long.MAX_VALUE;
        int bytes = 0;
        while (!queue.isEmpty() && batch.size() < MAX_BATCH_COMMANDS
                && (batch.isEmpty() || bytes + queue.peek().size() <= MAX_BATCH_BYTES)) {
            Queued q = queue.poll();
            if (pending.abandoned(q.command().requestId())) {
                continue;
            }
            if (q.deadlineMs() <= now) {
                expired.add(q);
                continue;
            }
            bytes += q.size();
            batch.add(q.command());
            deadline = Math.min(deadline, q.deadlineMs());
        }
        return deadline;
    }

    private void send(List<ProposedCommand> batch, long deadline) {
        CompletableFuture<?> sent;
        try {
            sent = raft.write(Message.valueOf(
                    org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(codec.encode(batch))), deadline);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        // Every client of the entry gave up (etcdctl cancels its call at its 5 s timeout, before the 7 s request
        // timeout ends the entry's retries for a leader): stop trying, so the entry cannot reach a leader that
        // appears after those clients heard their write failed. An attempt a leader already appended may still
        // commit, as in etcd.
        CompletableFuture<?> entry = sent;
        pending.whenAllCancelled(batch.stream().map(ProposedCommand::requestId).toList(), () -> entry.cancel(false));
        sent.whenComplete((reply, error) -> {
            if (error != null) {
                // The entry may or may not be committed; as etcd, the client hears a timeout/no-leader error.
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                Throwable reported = cause instanceof org.ketcd.api.EtcdException ? cause : EtcdError.TIMEOUT.exception();
                for (ProposedCommand c : batch) {
                    pending.fail(c.requestId(), reported);
                }
                failed.add(batch.size());
            }
            synchronized (this) {
                entriesInFlight--;
            }
            sendWhileRoom();
        });
    }
}
