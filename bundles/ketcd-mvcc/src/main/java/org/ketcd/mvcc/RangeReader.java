package org.ketcd.mvcc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.KeyValue;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;

/**
 * Answers etcd's range requests from the key index, reading from {@link Values} only the values an answer
 * carries (or, to sort by value, every value of the range). Holds no state of its own; the store locks.
 */
final class RangeReader {
    private final KeyIndex index;
    private final Values values;

    RangeReader(KeyIndex index, Values values) {
        this.index = index;
        this.values = values;
    }

    /**
     * etcd's applierV3backend.Range over mvcc rangeKeys, at store revision {@code curRev} of a store
     * compacted at {@code compactRev}. The values of
     * the answer are read as it is built, charged to {@code budget}; a count, and a page of a range in key
     * order, are answered from the key index without building the whole range.
     */
    RangeResponse read(RangeRequest r, long curRev, long compactRev, RangeBudget budget) {
        long rev = r.revision();
        if (rev > curRev) {
            throw EtcdError.FUTURE_REV.exception();
        }
        if (rev <= 0) {
            rev = curRev;
        }
        if (rev < compactRev) {
            throw EtcdError.COMPACTED.exception();
        }
        byte[] end = DerbyMvccStore.nz(r.rangeEnd());
        if (r.countOnly()) {
            return new RangeResponse(curRev, List.of(), false, index.countLive(r.key(), end, rev));
        }
        if (inKeyOrderUnfiltered(r)) {
            long count = index.countLive(r.key(), end, rev);
            int max = r.limit() > 0 && r.limit() < count ? (int) r.limit() : (int) Math.min(count, Integer.MAX_VALUE);
            return new RangeResponse(curRev, answer(r, index.rangeEntries(r.key(), end, rev, max), budget),
                    max < count, count);
        }
        List<KeyIndex.Entry> found = index.rangeEntries(r.key(), end, rev);
        long count = found.size();
        found = new ArrayList<>(found);
        if (r.maxModRevision() != 0) {
            found.removeIf(e -> e.kv().modRevision() > r.maxModRevision());
        }
        if (r.minModRevision() != 0) {
            found.removeIf(e -> e.kv().modRevision() < r.minModRevision());
        }
        if (r.maxCreateRevision() != 0) {
            found.removeIf(e -> e.kv().createRevision() > r.maxCreateRevision());
        }
        if (r.minCreateRevision() != 0) {
            found.removeIf(e -> e.kv().createRevision() < r.minCreateRevision());
        }
        RangeRequest.SortOrder order = r.sortOrder() == null ? RangeRequest.SortOrder.NONE : r.sortOrder();
        RangeRequest.SortTarget target = r.sortTarget() == null ? RangeRequest.SortTarget.KEY : r.sortTarget();
        if (target != RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.NONE) {
            order = RangeRequest.SortOrder.ASCEND; // etcd: the index returns key order, so only non-key targets sort by default
        }
        // values are read from the store only for what is returned, or all of them to sort by value
        List<KeyIndex.Entry> sorted = found;
        if (order != RangeRequest.SortOrder.NONE) {
            if (target == RangeRequest.SortTarget.VALUE) {
                sorted = new ArrayList<>(found.size());
                for (KeyIndex.Entry e : found) {
                    KeyValue kv = values.withValue(e);
                    budget.charge(kv); // a sort by value holds every value of the range
                    sorted.add(new KeyIndex.Entry(e.rev(), kv, e.tombstone()));
                }
            }
            Comparator<KeyValue> c = sortComparator(target);
            Comparator<KeyIndex.Entry> byKv = (a, b) -> c.compare(a.kv(), b.kv());
            sorted.sort(order == RangeRequest.SortOrder.DESCEND ? byKv.reversed() : byKv); // stable: ties stay in key order
        }
        boolean more = false;
        if (r.limit() > 0 && sorted.size() > r.limit()) {
            sorted = sorted.subList(0, (int) r.limit());
            more = true;
        }
        boolean charged = target == RangeRequest.SortTarget.VALUE && order != RangeRequest.SortOrder.NONE;
        return new RangeResponse(curRev, answer(r, sorted, charged ? new RangeBudget(RangeBudget.UNBOUNDED) : budget),
                more, count);
    }

    /** A range in the index's own order (by key, ascending) without revision filters: no sort, no filtering. */
    private static boolean inKeyOrderUnfiltered(RangeRequest r) {
        boolean keyOrder = (r.sortTarget() == null || r.sortTarget() == RangeRequest.SortTarget.KEY)
                && r.sortOrder() != RangeRequest.SortOrder.DESCEND;
        return keyOrder && r.maxModRevision() == 0 && r.minModRevision() == 0
                && r.maxCreateRevision() == 0 && r.minCreateRevision() == 0;
    }

    /** The key-values of a range's answer, with their values unless keys only. */
    private List<KeyValue> answer(RangeRequest r, List<KeyIndex.Entry> entries, RangeBudget budget) {
        List<KeyValue> out = new ArrayList<>(entries.size());
        for (KeyIndex.Entry e : entries) {
            KeyValue kv = r.keysOnly() ? e.kv().withoutValue() : values.withValue(e);
            budget.charge(kv);
            out.add(kv);
        }
        return List.copyOf(out);
    }

    private static Comparator<KeyValue> sortComparator(RangeRequest.SortTarget target) {
        return switch (target) {
            case KEY -> (a, b) -> Bytes.compare(a.key(), b.key());
            case VERSION -> Comparator.comparingLong(KeyValue::version);
            case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
            case MOD -> Comparator.comparingLong(KeyValue::modRevision);
            case VALUE -> (a, b) -> Bytes.compare(a.value(), b.value());
        };
    }
}
