package org.ketcd.mvcc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import org.ketcd.api.Bytes;
import org.ketcd.api.KeyValue;

/**
 * The in-memory history of every key, like etcd's {@code treeIndex}: per version its revision, create
 * revision, version and lease, not its value (the store keeps values in Derby, {@link Values}). Keys are
 * ordered as unsigned bytes; each key's versions are kept in revision order, a tombstone closing a
 * generation. Pure logic: no I/O, no locking (the store locks). The key-values it holds and hands out carry
 * whatever value they were added with; the store adds them without one (null).
 *
 * <p>Memory layout (issue 3: a member holds every version of every key, a million keys must fit in a
 * few hundred MB). Per key the map holds one value:
 * <ul>
 * <li>a {@link KeyValue} when the key has one version at sub revision 0 — by far the most common case,
 *     so such a key costs its map entry, its {@code KeyValue} and the key/value arrays, nothing else;</li>
 * <li>a {@link History} otherwise: the versions in one array, their sub revisions in an {@code int[]}.</li>
 * </ul>
 * A version's main revision is its {@code KeyValue.modRevision()}, and a tombstone is a {@code KeyValue}
 * with version 0 (a put's version is always at least 1, as in etcd), so neither needs an object of its
 * own. {@link Entry} and {@link Revision} are only built at the edges (writes, Derby rows, hashes).
 * Versions of one key share one key array.
 */
final class KeyIndex {

    /** One stored version of a key: a put, or a tombstone (then {@code kv} has only key and mod revision). */
    record Entry(Revision rev, KeyValue kv, boolean tombstone) {
        Entry {
            assert rev.main() == kv.modRevision() : "an entry's main revision is its mod revision";
            assert tombstone == (kv.version() == 0) : "a tombstone, and only a tombstone, has version 0";
        }
    }

    /** Two or more versions of one key, oldest first (or one at a sub revision other than 0). */
    private static final class History {
        KeyValue[] kvs;
        int[] subs;
        int size;

        History(KeyValue kv, int sub, int capacity) {
            kvs = new KeyValue[capacity];
            subs = new int[capacity];
            add(kv, sub);
        }

        void add(KeyValue kv, int sub) {
            insert(size, kv, sub);
        }

        void insert(int at, KeyValue kv, int sub) {
            if (size == kvs.length) {
                int capacity = size + Math.max(2, size >> 1);
                kvs = Arrays.copyOf(kvs, capacity);
                subs = Arrays.copyOf(subs, capacity);
            }
            System.arraycopy(kvs, at, kvs, at + 1, size - at);
            System.arraycopy(subs, at, subs, at + 1, size - at);
            kvs[at] = kv;
            subs[at] = sub;
            size++;
        }

        /** Drops the {@code n} oldest versions. */
        void dropOldest(int n) {
            System.arraycopy(kvs, n, kvs, 0, size - n);
            System.arraycopy(subs, n, subs, 0, size - n);
            Arrays.fill(kvs, size - n, size, null);
            size -= n;
        }
    }

    /** Key -> {@link KeyValue} (one version at sub revision 0) or {@link History}. */
    private final NavigableMap<byte[], Object> keys = new TreeMap<>(Bytes::compare);
    /** How many keys' newest version is not a tombstone; kept by every change, so counting costs no walk. */
    private long liveKeys;

    /** Appends a newer version of its key; revisions must grow. */
    void append(Entry e) {
        add(e, false);
    }

    /**
     * Adds a version read back from Derby, where rows may come in any order (a table scan follows the
     * pages, not the revisions): it is placed in revision order among its key's versions.
     */
    void load(Entry e) {
        add(e, true);
    }

    private void add(Entry e, boolean anyOrder) {
        KeyValue kv = e.kv();
        int sub = Math.toIntExact(e.rev().sub());
        Object v = keys.putIfAbsent(kv.key(), sub == 0 ? kv : new History(kv, sub, 1));
        if (v == null) {
            liveKeys += isTombstone(kv) ? 0 : 1; // a new key
            return;
        }
        boolean wasLive = newestIsLive(v);
        byte[] key = kvAt(v, 0).key();
        if (kv.key() != key) { // versions of a key share its first key array
            kv = new KeyValue(key, kv.createRevision(), kv.modRevision(), kv.version(), kv.value(), kv.lease());
        }
        History h;
        if (v instanceof History existing) {
            h = existing;
        } else {
            h = new History((KeyValue) v, 0, 2);
            keys.put(key, h);
        }
        int at = h.size;
        if (anyOrder) {
            while (at > 0 && compare(h.kvs[at - 1].modRevision(), h.subs[at - 1], kv.modRevision(), sub) > 0) {
                at--;
            }
        }
        assert at == 0 || compare(h.kvs[at - 1].modRevision(), h.subs[at - 1], kv.modRevision(), sub) < 0
            : "revisions of a key must grow";
        h.insert(at, kv, sub);
        liveKeys += (newestIsLive(h) ? 1 : 0) - (wasLive ? 1 : 0);
    }

    /** Removes {@code e}, which must be the newest version of its key (undo of an append). */
    void removeNewest(Entry e) {
        byte[] key = e.kv().key();
        Object v = keys.get(key);
        assert v != null && newestRevision(v).equals(e.rev()) : "only the newest version can be undone";
        liveKeys -= newestIsLive(v) ? 1 : 0;
        if (v instanceof History h) {
            h.size--;
            h.kvs[h.size] = null;
            if (h.size == 0) {
                keys.remove(key);
            } else if (h.size == 1 && h.subs[0] == 0) {
                keys.put(key, h.kvs[0]);
            }
        } else {
            keys.remove(key);
        }
        liveKeys += newestIsLive(keys.get(key)) ? 1 : 0;
    }

    /** How many keys are live at the newest revision this index holds: {@code countLive} of all keys, at no cost. */
    long liveKeyCount() {
        return liveKeys;
    }

    /** The live version of {@code key} at main revision {@code atRev}, or null. */
    KeyValue get(byte[] key, long atRev) {
        return live(keys.get(key), atRev);
    }

    /** As {@link #get}, with the version's revision. */
    Entry getEntry(byte[] key, long atRev) {
        return liveEntry(keys.get(key), atRev);
    }

    /** As {@link #range}, with each version's revision. */
    List<Entry> rangeEntries(byte[] key, byte[] rangeEnd, long atRev) {
        return rangeEntries(key, rangeEnd, atRev, Integer.MAX_VALUE);
    }

    /** As {@link #rangeEntries(byte[], byte[], long)}, the first {@code max} in key order only. */
    List<Entry> rangeEntries(byte[] key, byte[] rangeEnd, long atRev, int max) {
        if (rangeEnd.length == 0) {
            Entry e = getEntry(key, atRev);
            return e == null || max == 0 ? List.of() : List.of(e);
        }
        List<Entry> out = new ArrayList<>();
        for (Object versions : span(key, rangeEnd).values()) {
            if (out.size() >= max) {
                break;
            }
            Entry e = liveEntry(versions, atRev);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** How many keys in etcd's (key, rangeEnd) interval are live at {@code atRev}, without building a list. */
    long countLive(byte[] key, byte[] rangeEnd, long atRev) {
        if (rangeEnd.length == 0) {
            return live(keys.get(key), atRev) == null ? 0 : 1;
        }
        long count = 0;
        for (Object versions : span(key, rangeEnd).values()) {
            if (live(versions, atRev) != null) {
                count++;
            }
        }
        return count;
    }

    /** The live versions at {@code atRev} of the keys in etcd's (key, rangeEnd) interval, in key order. */
    List<KeyValue> range(byte[] key, byte[] rangeEnd, long atRev) {
        if (rangeEnd.length == 0) {
            KeyValue kv = get(key, atRev);
            return kv == null ? List.of() : List.of(kv);
        }
        List<KeyValue> out = new ArrayList<>();
        for (Object versions : span(key, rangeEnd).values()) {
            KeyValue kv = live(versions, atRev);
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
        byte[] from = new byte[0];
        while (from != null) {
            CompactedBatch batch = compact(atRev, from, Integer.MAX_VALUE);
            removed.addAll(batch.removed());
            from = batch.nextKey();
        }
        return removed;
    }

    /** What one batch of a compaction removed, and the key the next batch starts from (null: done). */
    record CompactedBatch(List<Revision> removed, byte[] nextKey) {
    }

    /** Compacts as {@link #compact(long)}, but only the keys from {@code fromKey} on, at most {@code maxKeys} of them. */
    CompactedBatch compact(long atRev, byte[] fromKey, int maxKeys) {
        List<Revision> removed = new ArrayList<>();
        int visited = 0;
        for (Iterator<Map.Entry<byte[], Object>> it = keys.tailMap(fromKey, true).entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<byte[], Object> slot = it.next();
            if (visited++ == maxKeys) {
                return new CompactedBatch(removed, slot.getKey());
            }
            Object v = slot.getValue();
            int newest = newestAtOrBelow(v, atRev);
            if (newest < 0) {
                continue;
            }
            int firstKept = isTombstone(kvAt(v, newest)) ? newest + 1 : newest;
            for (int i = 0; i < firstKept; i++) {
                removed.add(revisionAt(v, i));
            }
            if (firstKept == size(v)) {
                assert !newestIsLive(v) : "compaction removes a key only when its newest version is a tombstone";
                it.remove();
            } else if (firstKept > 0) {
                History h = (History) v;
                h.dropOldest(firstKept);
                if (h.size == 1 && h.subs[0] == 0) {
                    slot.setValue(h.kvs[0]);
                }
            }
        }
        return new CompactedBatch(removed, null);
    }

    /** The revisions a compaction at {@code atRev} would keep at or below it (etcd's {@code Keep}). */
    Set<Revision> keep(long atRev) {
        Set<Revision> kept = new HashSet<>();
        for (Object v : keys.values()) {
            int newest = newestAtOrBelow(v, atRev);
            if (newest >= 0 && !isTombstone(kvAt(v, newest))) {
                kept.add(revisionAt(v, newest));
            }
        }
        return kept;
    }

    /** Every stored version, in revision order. */
    List<Entry> entriesByRevision() {
        List<Entry> all = new ArrayList<>();
        for (Object v : keys.values()) {
            for (int i = 0; i < size(v); i++) {
                all.add(entryAt(v, i));
            }
        }
        all.sort((a, b) -> a.rev().compareTo(b.rev()));
        return all;
    }

    /** A bounded part of a key range's history: whole revisions, and the revision to continue from. */
    record Slice(List<Entry> entries, long nextRevision) {
    }

    /**
     * The versions of keys in etcd's (key, rangeEnd) interval with main revisions in [from, to], in
     * revision order, at most {@code limit} of them cut at a revision boundary; a first revision with
     * more than {@code limit} versions comes whole. Memory stays O(limit): the smallest revisions seen
     * are kept in a heap, and a revision that lost a version to the bound is left for the next call.
     */
    Slice history(byte[] key, byte[] rangeEnd, long from, long to, int limit) {
        if (from > to) {
            return new Slice(List.of(), from);
        }
        Collection<Object> slots = rangeEnd.length == 0
                ? (keys.containsKey(key) ? List.of(keys.get(key)) : List.of()) : span(key, rangeEnd).values();
        PriorityQueue<Entry> smallest = new PriorityQueue<>((a, b) -> b.rev().compareTo(a.rev()));
        long cut = Long.MAX_VALUE; // the smallest main revision that lost a version to the bound
        for (Object v : slots) {
            for (int i = newestAtOrBelow(v, from - 1) + 1; i < size(v); i++) {
                long main = kvAt(v, i).modRevision();
                if (main > to || main >= cut) {
                    break;
                }
                smallest.add(entryAt(v, i));
                if (smallest.size() > limit) {
                    cut = Math.min(cut, smallest.poll().rev().main());
                }
            }
        }
        long end = cut;
        List<Entry> out = new ArrayList<>(smallest.stream().filter(e -> e.rev().main() < end).toList());
        out.sort((a, b) -> a.rev().compareTo(b.rev()));
        if (cut == Long.MAX_VALUE) {
            return new Slice(out, to + 1);
        }
        if (!out.isEmpty()) {
            return new Slice(out, cut);
        }
        for (Object v : slots) { // the first revision alone is over the bound: it comes whole
            int i = newestAtOrBelow(v, cut);
            if (i >= 0 && kvAt(v, i).modRevision() == cut) {
                for (int j = newestAtOrBelow(v, cut - 1) + 1; j <= i; j++) {
                    out.add(entryAt(v, j));
                }
            }
        }
        out.sort((a, b) -> a.rev().compareTo(b.rev()));
        return new Slice(out, cut + 1);
    }

    /** The newest main revision stored, 0 if none. */
    long newestRevision() {
        long max = 0;
        for (Object v : keys.values()) {
            max = Math.max(max, kvAt(v, size(v) - 1).modRevision());
        }
        return max;
    }

    private Map<byte[], Object> span(byte[] key, byte[] rangeEnd) {
        if (Bytes.isFromKey(rangeEnd)) {
            return keys.tailMap(key, true);
        }
        if (Bytes.compare(key, rangeEnd) >= 0) {
            return Collections.emptyMap();
        }
        return keys.subMap(key, true, rangeEnd, false);
    }

    // ---- the two shapes of a key's versions, read alike

    private static int size(Object v) {
        return v instanceof History h ? h.size : 1;
    }

    private static KeyValue kvAt(Object v, int i) {
        return v instanceof History h ? h.kvs[i] : (KeyValue) v;
    }

    private static Revision revisionAt(Object v, int i) {
        return new Revision(kvAt(v, i).modRevision(), v instanceof History h ? h.subs[i] : 0);
    }

    private static Entry entryAt(Object v, int i) {
        KeyValue kv = kvAt(v, i);
        return new Entry(revisionAt(v, i), kv, isTombstone(kv));
    }

    private static Revision newestRevision(Object v) {
        return revisionAt(v, size(v) - 1);
    }

    private static boolean newestIsLive(Object v) {
        return v != null && !isTombstone(kvAt(v, size(v) - 1));
    }

    private static boolean isTombstone(KeyValue kv) {
        return kv.version() == 0;
    }

    private static int compare(long main1, int sub1, long main2, int sub2) {
        int c = Long.compare(main1, main2);
        return c != 0 ? c : Integer.compare(sub1, sub2);
    }

    private static Entry liveEntry(Object versions, long atRev) {
        if (versions == null) {
            return null;
        }
        int i = newestAtOrBelow(versions, atRev);
        return i < 0 || isTombstone(kvAt(versions, i)) ? null : entryAt(versions, i);
    }

    private static KeyValue live(Object versions, long atRev) {
        if (versions == null) {
            return null;
        }
        int i = newestAtOrBelow(versions, atRev);
        return i < 0 || isTombstone(kvAt(versions, i)) ? null : kvAt(versions, i);
    }

    /** Index of the newest version whose main revision is at most {@code atRev}, or -1. */
    private static int newestAtOrBelow(Object versions, long atRev) {
        int lo = 0;
        int hi = size(versions) - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (kvAt(versions, mid).modRevision() <= atRev) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
