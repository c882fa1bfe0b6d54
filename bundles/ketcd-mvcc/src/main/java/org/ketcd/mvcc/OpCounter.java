package org.ketcd.mvcc;

import java.util.concurrent.atomic.LongAdder;

import org.ketcd.api.OpCounts;

/**
 * Counts the store's operations as etcd's mvcc does: each store transaction tallies its ranges, puts and deletes,
 * and adds them when it ends, counting itself as a txn if it held more than one. A write txn with compares is two
 * store transactions in etcd: the compares on a read view, then the chosen branch on a write view.
 */
final class OpCounter {
    private final LongAdder ranges = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder txns = new LongAdder();
    private final LongAdder putBytes = new LongAdder();

    /** The operations of one store transaction, counted as they run (failed ones too, as etcd's wrapper does). */
    static final class Tally {
        private int ranges;
        private int puts;
        private int deletes;
        private long putBytes;

        void range() {
            ranges++;
        }

        void put(int keyBytes, int valueBytes) {
            puts++;
            putBytes += keyBytes + valueBytes;
        }

        void delete() {
            deletes++;
        }
    }

    /** Adds what {@code tally} counted; call once, when its transaction ends, successful or not. */
    void end(Tally tally) {
        if (tally.ranges + tally.puts + tally.deletes > 1) {
            txns.increment();
        }
        ranges.add(tally.ranges);
        puts.add(tally.puts);
        deletes.add(tally.deletes);
        putBytes.add(tally.putBytes);
    }

    OpCounts counts() {
        return new OpCounts(ranges.sum(), puts.sum(), deletes.sum(), txns.sum(), putBytes.sum());
    }
}
