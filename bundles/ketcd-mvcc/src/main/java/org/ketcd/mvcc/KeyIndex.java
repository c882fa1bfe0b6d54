package org.ketcd.mvcc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.ketcd.api.Bytes;
import org.ketcd.api.KeyValue;

/**
 * The in-memory history of every key, like etcd's {@code treeIndex}, but holding whole key-values so
 * that reads never touch Derby. Keys are ordered as unsigned bytes; each key's versions are kept in
 * revision order, a tombstone closing a generation. Pure logic: no I/O, no locking (the store locks).
 */
final class KeyIndex {

    /** One stored version of a key: a put, or a tombstone (then {@code kv} has only key and mod revision). */
    record Entry(Revision rev, KeyValue kv, boolean tombstone) {
    }

    private final NavigableMap<byte[], List<Entry>> keys = new TreeMap<>(Bytes::compare);

    /** Appends a newer version of its key; revisions must grow. */
    void append(Entry e) {
        List<Entry> history = keys.computeIfAbsent(e.kv().key(), k -> new ArrayList<>(2));
        assert history.isEmpty() || history.get(history.size() - 1).rev().compareTo(e.rev()) < 0
            : "revisions of a key must grow";
        history.add(e);
    }

    /** Removes {@code e}, which must be the newest version of its key (undo of an append). */
    void removeNewest(Entry e) {
        List<Entry> history = keys.get(e.kv().key());
        assert history != null && history.get(history.size() - 1) == e : "only the newest version can be undone";
        history.remove(history.size() - 1);
        if (history.isEmpty()) {
            keys.remove(e.kv().key());
        }
    }

    /** The live version of {@code key} at main revision {@code atRev}, or null. */
    KeyValue get(byte[] key, long atRev) {
        return live(keys.get(key), atRev);
    }

    /** The live versions at {@code atRev} of the keys in etcd's (key, rangeEnd) interval, in key order. */
    List<KeyValue> range(byte[] key, byte[] rangeEnd, long atRev) {
        if (rangeEnd.length == 0) {
            KeyValue kv = get(key, atRev);
            return kv == null ? List.of() : List.of(kv);
        }
        List<KeyValue> out = new ArrayList<>();
        for (List<Entry> history : span(key, rangeEnd).values()) {
            KeyValue kv = live(history, atRev);
            if (kv != null) {
                out.add(kv);
            }
        }
        return out;
    }

    /**
     * Compacts at {@code atRev}: per key, keeps the newest version at or below it (dropped if a
     * tombstone) and everything after. Returns the revisions removed.
     */
    List<Revision> compact(long atRev) {
        List<Revision> removed = new ArrayList<>();
        for (Iterator<List<Entry>> it = keys.values().iterator(); it.hasNext(); ) {
            List<Entry> history = it.next();
            int newest = newestAtOrBelow(history, atRev);
            if (newest < 0) {
                continue;
            }
            int firstKept = history.get(newest).tombstone() ? newest + 1 : newest;
            for (int i = 0; i < firstKept; i++) {
                removed.add(history.get(i).rev());
            }
            history.subList(0, firstKept).clear();
            if (history.isEmpty()) {
                it.remove();
            }
        }
        return removed;
    }

    /** The revisions a compaction at {@code atRev} would keep at or below it (etcd's {@code Keep}). */
    Set<Revision> keep(long atRev) {
        Set<Revision> kept = new HashSet<>();
        for (List<Entry> history : keys.values()) {
            int newest = newestAtOrBelow(history, atRev);
            if (newest >= 0 && !history.get(newest).tombstone()) {
                kept.add(history.get(newest).rev());
            }
        }
        return kept;
    }

    /** Every stored version, in revision order. */
    List<Entry> entriesByRevision() {
        List<Entry> all = new ArrayList<>();
        keys.values().forEach(all::addAll);
        all.sort((a, b) -> a.rev().compareTo(b.rev()));
        return all;
    }

    /** The newest main revision stored, 0 if none. */
    long newestRevision() {
        long max = 0;
        for (List<Entry> history : keys.values()) {
            max = Math.max(max, history.get(history.size() - 1).rev().main());
        }
        return max;
    }

    private Map<byte[], List<Entry>> span(byte[] key, byte[] rangeEnd) {
        if (Bytes.isFromKey(rangeEnd)) {
            return keys.tailMap(key, true);
        }
        if (Bytes.compare(key, rangeEnd) >= 0) {
            return Collections.emptyMap();
        }
        return keys.subMap(key, true, rangeEnd, false);
    }

    private static KeyValue live(List<Entry> history, long atRev) {
        if (history == null) {
            return null;
        }
        int i = newestAtOrBelow(history, atRev);
        return i < 0 || history.get(i).tombstone() ? null : history.get(i).kv();
    }

    /** Index of the newest entry whose main revision is at most {@code atRev}, or -1. */
    private static int newestAtOrBelow(List<Entry> history, long atRev) {
        int lo = 0;
        int hi = history.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (history.get(mid).rev().main() <= atRev) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
