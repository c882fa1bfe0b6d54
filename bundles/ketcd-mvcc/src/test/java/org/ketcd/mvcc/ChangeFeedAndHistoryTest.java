package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ketcd.mvcc.Kv.b;
import static org.ketcd.mvcc.Kv.del;
import static org.ketcd.mvcc.Kv.put;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.Event;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;

/** The store's change feed and history query, which watchers are built on (etcd's watchable store). */
class ChangeFeedAndHistoryTest {
    @TempDir
    Path dir;
    MvccStore store;
    final List<String> fed = new ArrayList<>();

    @BeforeEach
    void open() {
        store = MvccStore.open(dir, RandomizedAgainstModelTest.SMALL_CACHE);
        store.setChangeListener((rev, events) -> fed.add(rev + ":" + show(events)));
    }

    @AfterEach
    void close() {
        store.close();
    }

    static String show(List<Event> events) {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            out.add(e.type() + " " + Kv.str(e.kv().key()) + (e.type() == Event.Type.PUT ? "=" + Kv.str(e.kv().value()) : "")
                    + "@" + e.revision());
        }
        return String.join(",", out);
    }

    @Test
    void everyRevisionIsFedOnceWithItsChangesInSubRevisionOrder() {
        store.put(put("a", "1"));
        store.txn(new TxnRequest(List.of(), List.of(RequestOp.put(put("b", "2")), RequestOp.delete(del("a")),
                RequestOp.put(put("c", "3"))), List.of()));
        store.deleteRange(del("missing")); // no revision, nothing fed
        store.txn(new TxnRequest(List.of(), List.of(RequestOp.range(Kv.get("b"))), List.of())); // read-only
        assertEquals(List.of("2:PUT a=1@2", "3:PUT b=2@3,DELETE a@3,PUT c=3@3"), fed);
    }

    @Test
    void historyOfARangeIsInRevisionOrderAndMatchesTheFeed() {
        store.put(put("k1", "a"));
        store.put(put("x", "ignored"));
        store.txn(new TxnRequest(List.of(), List.of(RequestOp.put(put("k2", "b")), RequestOp.put(put("k1", "c"))), List.of()));
        store.deleteRange(new DeleteRangeRequest(b("k"), Bytes.prefixEnd(b("k")), false));
        HistoryChunk all = store.history(b("k"), Bytes.prefixEnd(b("k")), 1, store.currentRevision());
        assertEquals("PUT k1=a@2,PUT k2=b@4,PUT k1=c@4,DELETE k1@5,DELETE k2@5", show(all.events()));
        assertEquals(6, all.nextRevision());
        assertEquals("PUT k2=b@4,PUT k1=c@4", show(store.history(b("k"), Bytes.prefixEnd(b("k")), 3, 4).events()));
        assertEquals("PUT x=ignored@3", show(store.history(b("x"), Bytes.EMPTY, 1, 10).events()));
    }

    @Test
    void historyComesInBoundedChunksCutBetweenRevisions() {
        int keys = MvccStore.HISTORY_CHUNK_EVENTS / 3 + 7;
        for (int round = 0; round < 4; round++) {
            List<RequestOp> ops = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ops.add(RequestOp.put(put("p" + round + "-" + i, "v")));
            }
            store.txn(new TxnRequest(List.of(), ops, List.of()));
            for (int i = 0; i < keys; i++) {
                store.put(put("q" + i, "v" + round));
            }
        }
        long next = 1;
        List<Event> seen = new ArrayList<>();
        int chunks = 0;
        while (next <= store.currentRevision()) {
            HistoryChunk c = store.history(b("\0"), Bytes.FROM_KEY, next, store.currentRevision());
            assertTrue(c.events().size() <= MvccStore.HISTORY_CHUNK_EVENTS, "chunk of " + c.events().size());
            assertTrue(c.events().isEmpty() || c.events().get(c.events().size() - 1).revision() < c.nextRevision());
            seen.addAll(c.events());
            next = c.nextRevision();
            chunks++;
        }
        assertTrue(chunks > 1, "history of " + seen.size() + " events came in " + chunks + " chunk(s)");
        assertEquals(show(store.history(b("\0"), Bytes.FROM_KEY, 1, 1).events()), "");
        List<String> expected = new ArrayList<>();
        fed.forEach(f -> expected.add(f.substring(f.indexOf(':') + 1)));
        assertEquals(String.join(",", expected), show(seen), "the chunks put together are the feed");
    }

    @Test
    void oneRevisionLargerThanAChunkComesWhole() {
        for (int i = 0; i < MvccStore.HISTORY_CHUNK_EVENTS + 5; i++) {
            store.put(put("big" + i, "v"));
        }
        store.deleteRange(new DeleteRangeRequest(b("big"), Bytes.prefixEnd(b("big")), false));
        long deleteRev = store.currentRevision();
        HistoryChunk c = store.history(b("big"), Bytes.prefixEnd(b("big")), deleteRev, deleteRev);
        assertEquals(MvccStore.HISTORY_CHUNK_EVENTS + 5, c.events().size());
        assertEquals(deleteRev + 1, c.nextRevision());
    }

    @Test
    void historyBelowTheCompactRevisionIsCompactedButTheCompactRevisionItselfIsNot() {
        store.put(put("a", "1"));
        store.put(put("a", "2"));
        store.put(put("a", "3"));
        store.compact(new CompactionRequest(3, false));
        EtcdException e = assertThrows(EtcdException.class, () -> store.history(b("a"), Bytes.EMPTY, 2, 4));
        assertEquals(EtcdError.COMPACTED, e.error());
        assertEquals("PUT a=2@3,PUT a=3@4", show(store.history(b("a"), Bytes.EMPTY, 3, 4).events()));
    }
}
