package org.ketcd.server.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.Event;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;
import org.ketcd.api.WatchCounts;
import org.ketcd.mvcc.MvccOptions;
import org.ketcd.mvcc.MvccStore;

/**
 * The hub's guarantees, driven step by step on one thread (the catch-up rounds run when the test says):
 * ordered, atomic per revision, never duplicated or skipped, slow watchers kept off the write path.
 */
class WatchHubTest {
    @TempDir
    Path dir;
    MvccStore store;
    WatchHub hub;
    final AtomicInteger wakes = new AtomicInteger();

    @BeforeEach
    void open() {
        store = MvccStore.open(dir, MvccOptions.defaults());
        hub = new WatchHub(store, wakes::incrementAndGet);
    }

    @AfterEach
    void close() {
        hub.close();
        store.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void put(String k, String v) {
        store.put(PutRequest.of(b(k), b(v)));
    }

    static WatchRequest prefix(String p, long from) {
        return WatchRequest.of(b(p), Bytes.prefixEnd(b(p)), from);
    }

    static String show(Event e) {
        return e.type() + " " + new String(e.kv().key(), StandardCharsets.UTF_8)
                + (e.type() == Event.Type.PUT ? "=" + new String(e.kv().value(), StandardCharsets.UTF_8) : "") + "@" + e.revision();
    }

    static List<String> events(List<WatchBatch> batches) {
        List<String> out = new ArrayList<>();
        batches.forEach(b -> b.events().forEach(e -> out.add(show(e))));
        return out;
    }

    /** Polls everything buffered. */
    static List<WatchBatch> drain(Watch w) {
        List<WatchBatch> out = new ArrayList<>();
        for (WatchBatch b = w.poll(); b != null; b = w.poll()) {
            out.add(b);
        }
        return out;
    }

    /** Runs catch-up rounds, polling in between as a consumer would, until nothing is left to do. */
    List<WatchBatch> catchUp(Watch w) {
        List<WatchBatch> out = new ArrayList<>();
        boolean more;
        do {
            more = hub.catchUpRound();
            out.addAll(drain(w));
        } while (more);
        return out;
    }

    @Test
    void aTransactionsEventsArriveTogetherInOneBatchInOrder() {
        Watch w = hub.watch(WatchRequest.of(b("\0"), Bytes.FROM_KEY, 0), () -> { });
        put("c", "0");
        store.txn(new TxnRequest(List.of(), List.of(RequestOp.put(PutRequest.of(b("a"), b("1"))),
                RequestOp.delete(new DeleteRangeRequest(b("c"), Bytes.EMPTY, false)),
                RequestOp.put(PutRequest.of(b("b"), b("2")))), List.of()));
        List<WatchBatch> got = drain(w);
        assertEquals(2, got.size());
        assertEquals(List.of("PUT a=1@3", "DELETE c@3", "PUT b=2@3"), events(List.of(got.get(1))));
        assertEquals(3, got.get(1).revision(), "header revision is the revision of the change");
    }

    @Test
    void aWatcherSeesOnlyItsRangeAndTheListenerIsToldOnlyWhenItsBufferWasEmpty() {
        AtomicInteger ready = new AtomicInteger();
        Watch w = hub.watch(prefix("foo/", 0), ready::incrementAndGet);
        put("foo/1", "a");
        put("bar", "x");
        put("foo/2", "b");
        assertEquals(1, ready.get());
        assertEquals(List.of("PUT foo/1=a@2", "PUT foo/2=b@4"), events(drain(w)));
        put("foo/3", "c");
        assertEquals(2, ready.get());
    }

    @Test
    void aWatcherFromAnOldRevisionReplaysTheHistoryInChunksThenFollowsLiveWrites() {
        int writes = MvccStore.HISTORY_CHUNK_EVENTS * 3 + 17;
        for (int i = 0; i < writes; i++) {
            put("k" + (i % 50), "v" + i);
        }
        Watch w = hub.watch(prefix("k", 2), () -> { });
        assertTrue(wakes.get() > 0, "an old start revision wakes the catch-up");
        List<WatchBatch> got = catchUp(w);
        assertTrue(got.size() > 1, "history came in " + got.size() + " batch(es)");
        put("k1", "live");
        got.addAll(drain(w));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            expected.add("PUT k" + (i % 50) + "=v" + i + "@" + (i + 2));
        }
        expected.add("PUT k1=live@" + (writes + 2));
        assertEquals(expected, events(got));
    }

    @Test
    void aSlowWatcherNeverHoldsUpWritesOrOtherWatchersAndCatchesUpWithoutGapOrDuplicate() {
        Watch slow = hub.watch(WatchRequest.of(b("\0"), Bytes.FROM_KEY, 0), () -> { });
        Watch fast = hub.watch(WatchRequest.of(b("\0"), Bytes.FROM_KEY, 0), () -> { });
        List<WatchBatch> fastGot = new ArrayList<>();
        int writes = Watcher.BUFFER_BATCHES * 3;
        for (int i = 0; i < writes; i++) {
            put("key" + (i % 7), "v" + i); // every write returns: nobody waits for the slow watcher
            fastGot.addAll(drain(fast));
        }
        assertEquals(writes, events(fastGot).size());
        assertEquals(writes, fastGot.size(), "one batch per revision for a synced watcher");
        List<WatchBatch> slowGot = new ArrayList<>(drain(slow));
        assertEquals(Watcher.BUFFER_BATCHES, slowGot.size(), "the slow watcher's buffer stopped at its bound");
        slowGot.addAll(catchUp(slow));
        put("key0", "after");
        slowGot.addAll(drain(slow));
        fastGot.addAll(drain(fast));
        assertEquals(events(fastGot), events(slowGot));
    }

    @Test
    void aWatcherFromACompactedRevisionIsCanceledWithTheCompactRevision() {
        put("a", "1");
        put("a", "2");
        put("a", "3");
        store.compact(new CompactionRequest(3, false));
        Watch w = hub.watch(WatchRequest.of(b("a"), Bytes.EMPTY, 2), () -> { });
        List<WatchBatch> got = catchUp(w);
        assertEquals(1, got.size());
        assertTrue(got.get(0).canceled());
        assertEquals(3, got.get(0).compactRevision());
        put("a", "4");
        assertNull(w.poll(), "a canceled watcher gets nothing more");
        assertEquals(0, hub.size());
        Watch atCompact = hub.watch(WatchRequest.of(b("a"), Bytes.EMPTY, 3), () -> { });
        assertEquals(List.of("PUT a=2@3", "PUT a=3@4", "PUT a=4@5"), events(catchUp(atCompact)),
                "as etcd, the compact revision itself can still be watched");
    }

    @Test
    void aWatcherFromAFutureRevisionWaitsForIt() {
        put("a", "1");
        Watch w = hub.watch(WatchRequest.of(b("a"), Bytes.EMPTY, 5), () -> { });
        put("a", "2");
        put("a", "3");
        assertNull(w.poll());
        put("a", "4");
        put("a", "5");
        assertEquals(List.of("PUT a=4@5", "PUT a=5@6"), events(drain(w)));
    }

    @Test
    void filtersDropPutsOrDeletes() {
        Watch noPut = hub.watch(new WatchRequest(b("a"), Bytes.EMPTY, 0, true, false, false), () -> { });
        Watch noDelete = hub.watch(new WatchRequest(b("a"), Bytes.EMPTY, 0, false, true, false), () -> { });
        put("a", "1");
        store.deleteRange(new DeleteRangeRequest(b("a"), Bytes.EMPTY, false));
        assertEquals(List.of("DELETE a@3"), events(drain(noPut)));
        assertEquals(List.of("PUT a=1@2"), events(drain(noDelete)));
    }

    @Test
    void progressGoesOnlyToIdleSyncedWatchersThatAskedForIt() {
        Watch asked = hub.watch(new WatchRequest(b("a"), Bytes.EMPTY, 0, false, false, true), () -> { });
        Watch notAsked = hub.watch(WatchRequest.of(b("a"), Bytes.EMPTY, 0), () -> { });
        put("b", "1");
        hub.progressTick();
        assertEquals(List.of(WatchBatch.progress(2)), drain(asked));
        put("a", "1");
        hub.progressTick();
        assertEquals(1, drain(asked).size(), "only the event: it was not idle since the last tick");
        assertEquals(1, drain(notAsked).size());
        hub.progressTick();
        assertEquals(List.of(WatchBatch.progress(3)), drain(asked));
    }

    @Test
    void progressRevisionNeverPassesAnUnpolledEvent() {
        Watch w = hub.watch(WatchRequest.of(b("a"), Bytes.EMPTY, 0), () -> { });
        put("b", "1");
        assertEquals(2, w.progressRevision());
        put("a", "1");
        put("b", "2");
        assertEquals(2, w.progressRevision(), "the event at 3 is not polled yet");
        drain(w);
        assertEquals(4, w.progressRevision());
        Watch old = hub.watch(WatchRequest.of(b("a"), Bytes.EMPTY, 1), () -> { });
        assertEquals(0, old.progressRevision(), "nothing delivered before it catches up");
    }

    @Test
    void anEmptyRangeIsRefusedWithEtcdsReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hub.watch(WatchRequest.of(b("b"), b("a"), 0), () -> { }));
        assertEquals("mvcc: watcher range is empty", e.getMessage());
    }

    @Test
    void aClosedWatcherIsForgotten() {
        Watch w = hub.watch(WatchRequest.of(b("a"), Bytes.EMPTY, 0), () -> { });
        put("a", "1");
        w.close();
        put("a", "2");
        assertNull(w.poll());
        assertEquals(0, hub.size());
    }

    @Test
    void countsShowSlowWatchersPendingEventsAndEventsTaken() {
        put("k", "1");
        put("k", "2");
        Watch old = hub.watch(prefix("k", 2), () -> { });
        Watch live = hub.watch(prefix("k", 0), () -> { });
        assertEquals(new WatchCounts(1, 0, 0), hub.counts(), "the watcher from revision 2 reads history first");
        put("k", "3");
        assertEquals(new WatchCounts(1, 1, 0), hub.counts(), "the live watcher holds revision 4");
        while (hub.catchUpRound()) {
            // until every watcher is synced
        }
        assertEquals(new WatchCounts(0, 4, 0), hub.counts(), "revisions 2 to 4 buffered for the old one");
        assertEquals(3, events(drain(old)).size());
        assertEquals(new WatchCounts(0, 1, 3), hub.counts());
        put("k", "4");
        live.close();
        assertEquals(new WatchCounts(0, 1, 3), hub.counts(), "a closed watcher's buffer is no longer pending");
        assertEquals(1, events(drain(old)).size());
        assertEquals(new WatchCounts(0, 0, 4), hub.counts());
    }
}
