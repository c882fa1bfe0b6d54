package org.ketcd.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.PutRequest;

/**
 * A member closes its store after Raft's close returned, but Ratis' apply thread may outlive that close. It
 * must then leave the store alone: a CI run once lost its disk to a stopped member's apply thread retrying a
 * stop snapshot against a closed Derby database, with a stack trace per attempt.
 */
class StoreGateTest {
    private final CommandCodec codec = new CommandCodec();
    private static final org.ketcd.api.FatalErrorHandler NO_FATAL = (reason, cause) -> {
        throw new AssertionError("fatal: " + reason, cause);
    };

    /** Stands in for the store (the real one lives in ketcd-server): records what reached it, or fails like a closed Derby. */
    private static final class StoreRecorder implements CommandApplier {
        final List<String> calls = new ArrayList<>();
        volatile CountDownLatch applyBlocker = new CountDownLatch(0);
        final CountDownLatch applying = new CountDownLatch(1);
        volatile RuntimeException fault;

        @Override public long consistentIndex() { return 0; }
        @Override public void beginEntry() { }
        @Override public void endEntry() { }
        @Override public void entryApplied(long raftIndex) { calls.add("applied " + raftIndex); }
        @Override public void writeState(Path dir) { calls.add("writeState"); }
        @Override public void installState(Path dir) { calls.add("installState"); }

        @Override
        public Object apply(Command command) {
            applying.countDown();
            try {
                applyBlocker.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            calls.add("apply");
            return null;
        }

        @Override
        public <T> T betweenEntries(java.util.concurrent.Callable<T> action) throws Exception {
            if (fault != null) {
                throw fault;
            }
            calls.add("betweenEntries");
            return action.call();
        }
    }

    private TransactionContext entry(KetcdStateMachine sm, long index) {
        byte[] data = codec.encode(List.of(new ProposedCommand(2, index, new Command.Put(PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v"))))));
        LogEntryProto e = LogEntryProto.newBuilder().setTerm(1).setIndex(index)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder().setLogData(ByteString.copyFrom(data))).build();
        return TransactionContext.newBuilder().setStateMachine(sm).setLogEntry(e).build();
    }

    @Test
    void afterTheStoreGateClosedAppliesAndSnapshotsLeaveTheStoreAlone(@TempDir Path dir) throws Exception {
        StoreRecorder store = new StoreRecorder();
        KetcdStateMachine sm = new KetcdStateMachine(codec, store, new PendingRequests(), 1, dir.resolve("snapshot"), NO_FATAL, null);
        sm.applyTransaction(entry(sm, 1)).get();
        assertEquals(1, sm.takeSnapshot());
        assertEquals(List.of("apply", "applied 1", "betweenEntries"), store.calls);

        sm.closeStoreGate();
        store.calls.clear();
        sm.applyTransaction(entry(sm, 2)).get(); // completes (Ratis' apply thread may stop), but applies nothing
        assertEquals(1, sm.takeSnapshot(), "the stop snapshot reports the point recorded before");
        assertThrows(IOException.class, () -> sm.writeSnapshot(dir.resolve("for-a-follower.zip")));
        assertEquals(List.of(), store.calls, "a closed store was used");
        assertEquals(1, sm.getLastAppliedTermIndex().getIndex(), "an entry left to the next start counted as applied");
    }

    @Test
    void closingTheStoreGateWaitsForTheEntryBeingApplied(@TempDir Path dir) throws Exception {
        StoreRecorder store = new StoreRecorder();
        store.applyBlocker = new CountDownLatch(1);
        KetcdStateMachine sm = new KetcdStateMachine(codec, store, new PendingRequests(), 1, dir.resolve("snapshot"), NO_FATAL, null);
        CompletableFuture<Void> applied = CompletableFuture.runAsync(() -> sm.applyTransaction(entry(sm, 1)).join());
        assertTrue(store.applying.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> gateClosed = CompletableFuture.runAsync(sm::closeStoreGate);
        Thread.sleep(200);
        assertFalse(gateClosed.isDone(), "the gate closed while an entry was being applied");
        store.applyBlocker.countDown();
        applied.get(10, TimeUnit.SECONDS);
        gateClosed.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("apply", "applied 1"), store.calls);
    }

    @Test
    void aStoreFaultInASnapshotIsAnIOExceptionThatRatisSurvives(@TempDir Path dir) {
        StoreRecorder store = new StoreRecorder();
        store.fault = new IllegalStateException("Derby write meta failed: No current connection.");
        KetcdStateMachine sm = new KetcdStateMachine(codec, store, new PendingRequests(), 1, dir.resolve("snapshot"), NO_FATAL, null);
        IOException e = assertThrows(IOException.class, sm::takeSnapshot);
        assertTrue(e.getMessage().contains("No current connection"), e.getMessage());
    }
}
