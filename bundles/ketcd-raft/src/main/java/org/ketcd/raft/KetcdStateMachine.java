package org.ketcd.raft;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.ketcd.api.EtcdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed log entries in order. Entries at or below the store's consistent index were
 * already applied before a restart and are skipped, so a crash at any point replays exactly the
 * entries the store had not made durable.
 */
final class KetcdStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(KetcdStateMachine.class);

    private final CommandCodec codec;
    private final CommandApplier applier;
    private final PendingRequests pending;
    private final long memberId;

    KetcdStateMachine(CommandCodec codec, CommandApplier applier, PendingRequests pending, long memberId) {
        this.codec = codec;
        this.applier = applier;
        this.pending = pending;
        this.memberId = memberId;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        if (index > applier.consistentIndex()) {
            List<ProposedCommand> commands =
                    codec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
            applier.beginEntry();
            try {
                for (ProposedCommand c : commands) {
                    applyOne(c);
                }
                applier.entryApplied(index);
            } finally {
                applier.endEntry();
            }
        }
        updateLastAppliedTermIndex(entry.getTerm(), index);
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    private void applyOne(ProposedCommand c) {
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
            // A fault in the store must not silently diverge this member from the others: stop applying.
            LOG.error("applying {} failed", c.command().getClass().getSimpleName(), fault);
            if (mine) {
                pending.fail(c.requestId(), fault);
            }
            throw fault;
        }
    }

    /** A read barrier: Ratis calls this once the local applied index has reached the read index. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }
}
