package org.ketcd.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.FatalErrorHandler;
import org.ketcd.api.PutRequest;

/**
 * Applying a committed entry never stops the apply thread on bad bytes, and never answers a false error:
 * an entry that does not decode is skipped alike on every member; an entry a newer Ketcd wrote, which members
 * of that version apply, and a fault of the store are fatal for the member (bin/ketcd exits) and its client
 * hears nothing, since a restart (of the updated member) applies the entry after all.
 */
class TotalApplyTest {
    private final CommandCodec codec = new CommandCodec();
    private final List<String> fatal = new ArrayList<>();
    private final FatalErrorHandler recordFatal = (reason, cause) -> fatal.add(reason);

    /** Stands in for the store: records what it applied, or fails like a full disk. */
    private static final class Store implements CommandApplier {
        final List<String> calls = new ArrayList<>();
        RuntimeException fault;

        @Override public long consistentIndex() { return 0; }
        @Override public void beginEntry() { }
        @Override public void endEntry() { }
        @Override public void entryApplied(long raftIndex) { calls.add("applied " + raftIndex); }
        @Override public void writeState(Path dir) { }
        @Override public void installState(Path dir) { }
        @Override public <T> T betweenEntries(java.util.concurrent.Callable<T> action) throws Exception { return action.call(); }

        @Override
        public Object apply(Command command) {
            if (fault != null) {
                throw fault;
            }
            calls.add("put " + new String(((Command.Put) command).request().key(), StandardCharsets.UTF_8));
            return "ok";
        }
    }

    private TransactionContext committed(KetcdStateMachine sm, long index, byte[] logData) {
        LogEntryProto e = LogEntryProto.newBuilder().setTerm(1).setIndex(index)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder().setLogData(ByteString.copyFrom(logData))).build();
        return TransactionContext.newBuilder().setStateMachine(sm).setLogEntry(e).build();
    }

    private byte[] put(long proposer, long requestId, String key) {
        return codec.encode(List.of(new ProposedCommand(proposer, requestId, new Command.Put(PutRequest.of(Bytes.utf8(key), Bytes.utf8("v"))))));
    }

    @Test
    void anEntryThatDoesNotDecodeIsSkippedAlikeOnEveryMemberAndApplyingGoesOn(@TempDir Path dir) throws Exception {
        List<List<String>> members = new ArrayList<>();
        for (int member = 1; member <= 3; member++) {
            Store store = new Store();
            KetcdStateMachine sm = new KetcdStateMachine(codec, store, new PendingRequests(), member, dir.resolve("s" + member), recordFatal, null);
            sm.applyTransaction(committed(sm, 1, put(9, 1, "before"))).get();
            sm.applyTransaction(committed(sm, 2, "garbage from a forged append".getBytes(StandardCharsets.UTF_8))).get();
            sm.applyTransaction(committed(sm, 3, put(9, 2, "after"))).get();
            assertEquals(3, sm.getLastAppliedTermIndex().getIndex());
            members.add(store.calls);
        }
        assertEquals(List.of("put before", "applied 1", "applied 2", "put after", "applied 3"), members.get(0));
        assertEquals(members.get(0), members.get(1));
        assertEquals(members.get(0), members.get(2));
        assertEquals(List.of(), fatal);
    }

    @Test
    void anEntryANewerKetcdWroteStopsThisMemberInsteadOfBeingSkipped(@TempDir Path dir) throws Exception {
        Store store = new Store();
        KetcdStateMachine sm = new KetcdStateMachine(codec, store, new PendingRequests(), 1, dir.resolve("s"), recordFatal, null);
        sm.applyTransaction(committed(sm, 1, put(9, 1, "before"))).get();
        byte[] newer = put(9, 2, "newer");
        newer[CommandCodec.HEADER_BYTES] = CommandBatch.NEWEST_FORMAT + 1;
        assertThrows(IllegalStateException.class, () -> sm.applyTransaction(committed(sm, 2, newer)));
        assertEquals(1, fatal.size(), "a newer format was not fatal");
        assertTrue(fatal.get(0).startsWith("Raft index 2 was written by a newer Ketcd: command batch format 2"), fatal.get(0));
        assertEquals(List.of("put before", "applied 1"), store.calls, "the member went past an entry it cannot read");
        assertEquals(1, sm.getLastAppliedTermIndex().getIndex());
    }

    @Test
    void aStoreFaultIsFatalAndTheProposerHearsNoError(@TempDir Path dir) {
        Store store = new Store();
        store.fault = new IllegalStateException("No space left on device");
        PendingRequests pending = new PendingRequests();
        CompletableFuture<Object> answer = new CompletableFuture<>();
        long requestId = pending.register(answer);
        KetcdStateMachine sm = new KetcdStateMachine(codec, store, pending, 1, dir.resolve("s"), recordFatal, null);
        assertThrows(IllegalStateException.class, () -> sm.applyTransaction(committed(sm, 1, put(1, requestId, "k"))));
        assertEquals(1, fatal.size(), "the fault was not reported as fatal");
        assertTrue(fatal.get(0).contains("Raft index 1"), fatal.get(0));
        assertFalse(answer.isDone(), "the client heard an answer for a write that a restart applies: " + answer);
    }

    @Test
    void aFailedRaftLogWriteIsFatal(@TempDir Path dir) {
        KetcdStateMachine sm = new KetcdStateMachine(codec, new Store(), new PendingRequests(), 1, dir.resolve("s"), recordFatal, null);
        sm.notifyLogFailed(new java.io.IOException("No space left on device"), null);
        assertEquals(List.of("writing the Raft log failed"), fatal);
    }

    @Test
    void raftClosingTheStateMachineOnItsOwnIsFatalButNotWhenTheMemberStops(@TempDir Path dir) throws Exception {
        KetcdStateMachine failed = new KetcdStateMachine(codec, new Store(), new PendingRequests(), 1, dir.resolve("a"), recordFatal, null);
        failed.close();
        assertEquals(1, fatal.size());
        KetcdStateMachine stopped = new KetcdStateMachine(codec, new Store(), new PendingRequests(), 1, dir.resolve("b"), recordFatal, null);
        stopped.stopping();
        stopped.close();
        assertEquals(1, fatal.size(), "a member's own stop counted as a failure");
    }
}
