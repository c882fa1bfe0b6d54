package org.ketcd.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * etcd 3.4's automatic compaction ({@code --auto-compaction-mode}, {@code --auto-compaction-retention}),
 * as a plain object driven by {@link #tick(long)} so a test controls the clock. The caller ticks it
 * every {@link #tickInterval()} on the leader only, as etcd runs its compactor only on the leader.
 * <ul>
 * <li>periodic: samples the revision every min(retention, 1h)/10; once a whole retention has passed,
 * compacts every min(retention, 1h) to the revision sampled one retention ago.</li>
 * <li>revision: every 5 minutes compacts to (current revision - retention), if that moved.</li>
 * </ul>
 */
final class AutoCompaction {
    /** etcd's revision-mode interval. */
    static final Duration REVISION_MODE_INTERVAL = Duration.ofMinutes(5);
    /** Periodic mode never waits longer than this between compactions (etcd: one hour). */
    static final Duration MAX_PERIODIC_INTERVAL = Duration.ofHours(1);
    /** Periodic mode samples the revision this many times per compaction interval (etcd's retryDivisor). */
    static final int SAMPLES_PER_INTERVAL = 10;

    enum Mode { PERIODIC, REVISION }

    private final Mode mode;
    private final long retention; // milliseconds (periodic) or revisions (revision)
    private final LongSupplier currentRevision;
    private final LongConsumer compact;

    private final Deque<Long> samples = new ArrayDeque<>();
    private long lastCompactionMillis;
    private long waitMillis;
    private long lastCompactedTo;

    AutoCompaction(Mode mode, long retention, long startMillis, LongSupplier currentRevision, LongConsumer compact) {
        this.mode = mode;
        this.retention = retention;
        this.currentRevision = currentRevision;
        this.compact = compact;
        this.lastCompactionMillis = startMillis;
        this.waitMillis = retention; // periodic: the first compaction waits a whole retention
    }

    long tickInterval() {
        if (mode == Mode.REVISION) {
            return REVISION_MODE_INTERVAL.toMillis();
        }
        return Math.max(1, compactionInterval() / SAMPLES_PER_INTERVAL);
    }

    private long compactionInterval() {
        return Math.min(retention, MAX_PERIODIC_INTERVAL.toMillis());
    }

    void tick(long nowMillis) {
        if (mode == Mode.REVISION) {
            long target = currentRevision.getAsLong() - retention;
            if (target > 0 && target != lastCompactedTo) {
                lastCompactedTo = target;
                compact.accept(target);
            }
            return;
        }
        samples.addLast(currentRevision.getAsLong());
        // samples.peekFirst() is always the revision about one retention ago
        while (samples.size() > retention / tickInterval() + 1) {
            samples.removeFirst();
        }
        if (nowMillis - lastCompactionMillis < waitMillis) {
            return;
        }
        waitMillis = compactionInterval();
        lastCompactionMillis = nowMillis;
        long target = samples.peekFirst();
        if (target > lastCompactedTo) {
            lastCompactedTo = target;
            compact.accept(target);
        }
    }
}
