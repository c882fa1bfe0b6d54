package org.ketcd.raft;

import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.RaftClientReply;

/**
 * Linearizable reads, batched as etcd's linearizableReadLoop does: readers that arrive while a
 * read-index round is in flight share the next round, so one Ratis round serves many reads. A round
 * completes once this member has applied everything committed before the round began.
 */
final class ReadBarrier {
    private final Submitter raft;
    private boolean roundInFlight;
    /** The round that starts when the current one ends; null while nobody waits for it. */
    private CompletableFuture<Void> nextRound;

    ReadBarrier(Submitter raft) {
        this.raft = raft;
    }

    CompletableFuture<Void> await() {
        CompletableFuture<Void> round;
        synchronized (this) {
            if (roundInFlight) {
                if (nextRound == null) {
                    nextRound = new CompletableFuture<>();
                }
                return nextRound;
            }
            roundInFlight = true;
            round = new CompletableFuture<>();
        }
        run(round);
        return round;
    }

    private void run(CompletableFuture<Void> round) {
        CompletableFuture<RaftClientReply> readIndex;
        try {
            readIndex = raft.readIndex();
        } catch (RuntimeException e) {
            readIndex = CompletableFuture.failedFuture(e);
        }
        readIndex.whenComplete((reply, error) -> {
            CompletableFuture<Void> following;
            synchronized (this) {
                following = nextRound;
                nextRound = null;
                roundInFlight = following != null;
            }
            if (following != null) {
                run(following);
            }
            if (error != null) {
                round.completeExceptionally(error instanceof java.util.concurrent.CompletionException
                        && error.getCause() != null ? error.getCause() : error);
            } else {
                round.complete(null);
            }
        });
    }
}
