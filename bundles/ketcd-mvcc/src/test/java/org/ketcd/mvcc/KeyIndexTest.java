package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ketcd.api.Bytes;
import org.ketcd.api.KeyValue;

/** Edge cases of the compact index: its two shapes per key (one KeyValue, or a History) and the moves between them. */
class KeyIndexTest {

    private static final byte[] FROM_KEY = Bytes.FROM_KEY;

    private static KeyIndex.Entry put(String key, long main, long sub, long created, long version) {
        return new KeyIndex.Entry(new Revision(main, sub),
            new KeyValue(Bytes.utf8(key), created, main, version, Bytes.utf8("v" + main + "." + sub), 0), false);
    }

    private static KeyIndex.Entry tomb(String key, long main, long sub) {
        return new KeyIndex.Entry(new Revision(main, sub), new KeyValue(Bytes.utf8(key), 0, main, 0, Bytes.EMPTY, 0), true);
    }

    private static List<Revision> revisions(KeyIndex index) {
        List<Revision> out = new ArrayList<>();
        index.entriesByRevision().forEach(e -> out.add(e.rev()));
        return out;
    }

    private static List<String> render(List<KeyValue> kvs) {
        return kvs.stream().map(kv -> new String(kv.key()) + "@" + kv.modRevision() + " v" + kv.version() + " "
            + new String(kv.value())).toList();
    }

    /**
     * etcd_debugging_mvcc_keys_total reads the kept count; after any mix of puts, deletes, undone writes, out-of-order
     * loads and compactions it equals a walk of the whole index at its newest revision.
     */
    @Test
    void theKeptLiveKeyCountEqualsAWalkOfTheIndexAfterEveryChange() {
        Random random = new Random(7);
        KeyIndex index = new KeyIndex();
        List<KeyIndex.Entry> newest = new ArrayList<>(); // the newest entry of each key, by key number
        long rev = 1;
        for (int step = 0; step < 5_000; step++) {
            int k = random.nextInt(40);
            while (newest.size() <= k) {
                newest.add(null);
            }
            KeyIndex.Entry last = newest.get(k);
            int action = random.nextInt(10);
            if (action < 5 || last == null) {
                long version = last == null || last.tombstone() ? 1 : last.kv().version() + 1;
                long created = last == null || last.tombstone() ? rev + 1 : last.kv().createRevision();
                newest.set(k, put("k" + k, ++rev, 0, created, version));
                index.append(newest.get(k));
            } else if (action < 8 && !last.tombstone()) {
                newest.set(k, tomb("k" + k, ++rev, 0));
                index.append(newest.get(k));
            } else if (action == 8) {
                KeyIndex.Entry undone = put("k" + k, ++rev, 0, rev, last.tombstone() ? 1 : last.kv().version() + 1);
                index.append(undone);
                index.removeNewest(undone);
            } else {
                index.compact(rev - random.nextInt(20));
            }
            byte[] all = {0};
            assertEquals(index.countLive(all, all, rev), index.liveKeyCount(), "after step " + step);
        }

        KeyIndex loaded = new KeyIndex();
        List<KeyIndex.Entry> rows = new ArrayList<>(index.entriesByRevision());
        Collections.shuffle(rows, random);
        rows.forEach(loaded::load);
        assertEquals(index.liveKeyCount(), loaded.liveKeyCount(), "loaded in Derby's order");
    }

    @Test
    void manyVersionsOfOneKeyWithTombstonesAndSubRevisions() {
        KeyIndex index = new KeyIndex();
        index.append(put("a", 2, 0, 2, 1));
        index.append(put("a", 3, 1, 2, 2));
        index.append(tomb("a", 4, 0));
        for (long rev = 5; rev < 105; rev++) {
            index.append(put("a", rev, rev % 3, 5, rev - 4));
        }
        assertNull(index.get(Bytes.utf8("a"), 1));
        assertEquals(1, index.get(Bytes.utf8("a"), 2).version());
        assertEquals(2, index.get(Bytes.utf8("a"), 3).version());
        assertNull(index.get(Bytes.utf8("a"), 4));
        assertEquals(100, index.get(Bytes.utf8("a"), 1000).version());
        assertEquals(103, revisions(index).size());
        assertEquals(104, index.newestRevision());
        // every version shares the first key array
        assertSame(index.get(Bytes.utf8("a"), 2).key(), index.get(Bytes.utf8("a"), 104).key());
    }

    @Test
    void undoOfAnAppendRestoresTheSingleVersionShape() {
        KeyIndex index = new KeyIndex();
        KeyIndex.Entry first = put("k", 2, 0, 2, 1);
        KeyIndex.Entry second = put("k", 3, 0, 2, 2);
        index.append(first);
        index.append(second);
        index.removeNewest(second);
        assertEquals(List.of(new Revision(2, 0)), revisions(index));
        index.append(put("k", 3, 0, 2, 2)); // appends again on the collapsed shape
        assertEquals(2, index.get(Bytes.utf8("k"), 3).version());
        index.removeNewest(put("k", 3, 0, 2, 2));
        index.removeNewest(first);
        assertEquals(List.of(), revisions(index));
        assertEquals(0, index.newestRevision());

        KeyIndex.Entry atSub = put("s", 5, 3, 5, 1); // one version at a sub revision other than 0
        index.append(atSub);
        assertEquals(List.of(new Revision(5, 3)), revisions(index));
        index.removeNewest(atSub);
        assertEquals(List.of(), index.range(Bytes.utf8("a"), FROM_KEY, 10));
    }

    @Test
    void compactionDropsOldVersionsAndClosedGenerations() {
        KeyIndex index = new KeyIndex();
        index.append(put("a", 2, 0, 2, 1));
        index.append(put("b", 3, 0, 3, 1));
        index.append(put("a", 4, 0, 2, 2));
        index.append(tomb("b", 5, 0));
        index.append(put("a", 6, 1, 2, 3));
        index.append(put("c", 7, 0, 7, 1));
        assertEquals(List.of(new Revision(2, 0), new Revision(3, 0), new Revision(5, 0)), index.compact(5).stream().sorted().toList());
        // a keeps 4 and 6.1; b's generation is gone; c untouched
        assertEquals(List.of(new Revision(4, 0), new Revision(6, 1), new Revision(7, 0)), revisions(index));
        assertEquals(List.of(new Revision(4, 0)), index.compact(6).stream().toList());
        assertEquals(List.of(new Revision(6, 1), new Revision(7, 0)), revisions(index));
        assertEquals(3, index.get(Bytes.utf8("a"), 7).version());
        assertEquals(java.util.Set.of(new Revision(6, 1), new Revision(7, 0)), index.keep(7));
        assertEquals(List.of(), index.compact(7));
    }

    @Test
    void loadTakesRowsInAnyOrder() {
        List<KeyIndex.Entry> history = new ArrayList<>();
        KeyIndex expected = new KeyIndex();
        long rev = 2;
        for (int i = 0; i < 500; i++, rev++) {
            String key = "k" + (i % 37);
            KeyIndex.Entry e = i % 11 == 10 ? tomb(key, rev, i % 4) : put(key, rev, i % 4, rev, 1 + i / 37);
            history.add(e);
            expected.append(e);
        }
        Collections.shuffle(history, new Random(7));
        KeyIndex loaded = new KeyIndex();
        history.forEach(loaded::load);
        assertEquals(revisions(expected), revisions(loaded));
        for (long at = 0; at <= rev; at += 13) {
            assertEquals(render(expected.range(Bytes.utf8("k"), FROM_KEY, at)), render(loaded.range(Bytes.utf8("k"), FROM_KEY, at)));
        }
    }
}
