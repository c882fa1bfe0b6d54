package org.ketcd.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.Message;
import org.junit.jupiter.api.Test;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdException;
import org.ketcd.api.PutRequest;

/**
 * A command is bounded by its own request timeout from the moment it arrives, not from the moment its entry
 * leaves: a command that waited in the queue behind an entry that could not commit must never be proposed after
 * its client was told it timed out.
 */
class ProposerTest {
    private static final long TIMEOUT_MS = 300;

    private record Sent(List<ProposedCommand> commands, long deadlineMs, CompletableFuture<Object> answer) {
    }

    private final CommandCodec codec = new CommandCodec();
    private final PendingRequests pending = new PendingRequests();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    /** Raft as the Proposer sees it: every entry stays in flight until the test answers it. */
    private final Proposer proposer = new Proposer((Message entry, long deadlineMs) -> {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        try {
            sent.add(new Sent(codec.decode(entry.getContent().toByteArray()), deadlineMs, answer));
        } catch (CommandCodec.UndecodableException e) {
            throw new AssertionError("the Proposer sent an entry that does not decode", e);
        }
        return answer;
    }, codec, pending, TIMEOUT_MS);

    private CompletableFuture<Object> put(String key) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        long id = pending.register(result);
        ProposedCommand c = new ProposedCommand(1, id, new Command.Put(PutRequest.of(Bytes.utf8(key), Bytes.utf8("v"))));
        proposer.propose(c, codec.encodedSize(c));
        return result;
    }

    private static String key(ProposedCommand c) {
        return new String(((Command.Put) c.command()).request().key(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aCommandWhoseTimeoutPassedWhileQueuedIsNeverProposedAndItsClientHearsRequestTimedOut() throws Exception {
        put("first");
        CompletableFuture<Object> queued = put("queued"); // waits: one entry in flight at most
        assertEquals(1, sent.size());
        Thread.sleep(TIMEOUT_MS + 50);
        sent.get(0).answer().completeExceptionally(new EtcdException(org.ketcd.api.EtcdError.TIMEOUT));

        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> queued.get(5, TimeUnit.SECONDS));
        assertEquals("etcdserver: request timed out", e.getCause().getMessage());
        assertEquals(1, sent.size(), "a command past its timeout was proposed: " + sent);
    }

    @Test
    void anEntryCarriesTheEarliestDeadlineOfItsCommands() throws Exception {
        put("first");
        long beforeOlder = System.currentTimeMillis();
        put("older");
        Thread.sleep(100);
        long beforeNewer = System.currentTimeMillis();
        put("newer");
        sent.get(0).answer().complete(null);

        assertEquals(2, sent.size());
        Sent second = sent.get(1);
        assertEquals(List.of("older", "newer"), second.commands().stream().map(ProposerTest::key).toList());
        assertTrue(second.deadlineMs() >= beforeOlder + TIMEOUT_MS && second.deadlineMs() < beforeNewer + TIMEOUT_MS,
                "the entry's deadline " + second.deadlineMs() + " is not the older command's (proposed at " + beforeOlder
                        + ", the newer at " + beforeNewer + ", timeout " + TIMEOUT_MS + " ms)");
    }

    @Test
    void aCommandWhoseClientGaveUpWhileQueuedIsNeverProposed() throws Exception {
        put("first");
        CompletableFuture<Object> abandoned = put("abandoned");
        CompletableFuture<Object> wanted = put("wanted");
        abandoned.cancel(false); // e.g. its gRPC call was cancelled
        sent.get(0).answer().complete(null);

        assertEquals(2, sent.size());
        assertEquals(List.of("wanted"), sent.get(1).commands().stream().map(ProposerTest::key).toList());
        assertFalse(wanted.isDone());
    }

    @Test
    void onlyTheExpiredCommandsOfAQueueAreDropped() throws Exception {
        put("first");
        CompletableFuture<Object> expired = put("expired");
        Thread.sleep(TIMEOUT_MS + 50);
        CompletableFuture<Object> fresh = put("fresh");
        sent.get(0).answer().complete(null);

        assertTrue(expired.isCompletedExceptionally());
        assertFalse(fresh.isDone());
        assertEquals(List.of("fresh"), sent.get(1).commands().stream().map(ProposerTest::key).toList());
    }

    @Test
    void anEntryWhoseClientsAllGaveUpIsCalledOffWhileItWaitsForALeader() throws Exception {
        put("first");
        CompletableFuture<Object> a = put("a");
        CompletableFuture<Object> b = put("b");
        sent.get(0).answer().complete(null);
        CompletableFuture<Object> entry = sent.get(1).answer(); // a and b travel together

        a.cancel(false);
        assertFalse(entry.isDone(), "an entry was called off while one of its clients still waits");
        b.cancel(false);
        assertTrue(entry.isCancelled(), "an entry nobody waits for is still being retried");
    }

    @Test
    void anEntryWithAnAnsweredCommandIsNotCalledOff() throws Exception {
        CompletableFuture<Object> only = put("only");
        CompletableFuture<Object> entry = sent.get(0).answer();
        pending.complete(sent.get(0).commands().get(0).requestId(), "applied");
        only.cancel(false); // too late: answered already

        assertFalse(entry.isCancelled());
    }
}
