package org.ketcd.api;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram of durations in etcd's buckets: for disk latencies (etcd_disk_wal_fsync_duration_seconds,
 * etcd_disk_backend_commit_duration_seconds) upper bounds of 1 ms doubling up to 8.192 s, for round trips between
 * members (etcd_network_peer_round_trip_time_seconds) 0.1 ms doubling up to 0.8192 s, for gRPC calls
 * (grpc_server_handling_seconds) Prometheus' default buckets from 5 ms to 10 s, for lease TTLs
 * (etcd_debugging_lease_ttl_total) 1 s doubling up to 8192 s, for defragmentations 100 ms doubling up to 409.6 s, for
 * backend snapshots 10 ms doubling up to 655.36 s; then +Inf. Observing is
 * lock-free and allocates nothing; a {@link Snapshot} is what {@code /metrics} renders.
 */
public final class DurationHistogram {
    /** Disk latencies' upper bounds in seconds, as etcd's prometheus.ExponentialBuckets(0.001, 2, 14). */
    public static final double[] BOUNDS_SECONDS = exponential(0.001, 14);
    /** Round trips' upper bounds in seconds, as etcd's prometheus.ExponentialBuckets(0.0001, 2, 14). */
    public static final double[] ROUND_TRIP_BOUNDS_SECONDS = exponential(0.0001, 14);
    /** Lease TTLs' upper bounds in seconds, as etcd's lease_ttl_total: prometheus.ExponentialBuckets(1, 2, 14). */
    public static final double[] LEASE_TTL_BOUNDS_SECONDS = exponential(1, 14);
    /** Defragmentations' upper bounds, as etcd's backend_defrag_duration_seconds: ExponentialBuckets(0.1, 2, 13). */
    public static final double[] DEFRAG_BOUNDS_SECONDS = exponential(0.1, 13);
    /** Backend snapshots' upper bounds, as etcd's backend_snapshot_duration_seconds: ExponentialBuckets(0.01, 2, 17). */
    public static final double[] SNAPSHOT_BOUNDS_SECONDS = exponential(0.01, 17);
    /** gRPC calls' upper bounds in seconds, as go-grpc-prometheus' handling-time histogram (Prometheus' DefBuckets). */
    public static final double[] GRPC_HANDLING_BOUNDS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final double[] bounds;
    private final AtomicLongArray counts; // the last: above every bound
    private final LongAdder sumNanos = new LongAdder();

    /** A histogram of disk latencies. */
    public DurationHistogram() {
        this(BOUNDS_SECONDS);
    }

    private DurationHistogram(double[] bounds) {
        this.bounds = bounds;
        this.counts = new AtomicLongArray(bounds.length + 1);
    }

    /** A histogram of round trips between members. */
    public static DurationHistogram forRoundTrips() {
        return new DurationHistogram(ROUND_TRIP_BOUNDS_SECONDS);
    }

    /** A histogram of lease TTLs. */
    public static DurationHistogram forLeaseTtls() {
        return new DurationHistogram(LEASE_TTL_BOUNDS_SECONDS);
    }

    /** A histogram of defragmentations. */
    public static DurationHistogram forDefrags() {
        return new DurationHistogram(DEFRAG_BOUNDS_SECONDS);
    }

    /** A histogram of backend snapshots. */
    public static DurationHistogram forSnapshots() {
        return new DurationHistogram(SNAPSHOT_BOUNDS_SECONDS);
    }

    /** A histogram of gRPC calls' handling times. */
    public static DurationHistogram forGrpcHandling() {
        return new DurationHistogram(GRPC_HANDLING_BOUNDS_SECONDS);
    }

    private static double[] exponential(double first, int n) {
        double[] b = new double[n];
        for (int i = 0; i < b.length; i++) {
            b[i] = first * (1L << i);
        }
        return b;
    }

    public void observe(long nanos) {
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sumNanos.add(nanos);
    }

    /**
     * The upper bounds of the buckets (shared, not to be changed), counts per bucket (not cumulative; the last one is
     * above every bound) and the sum of all observations.
     */
    public record Snapshot(double[] bounds, long[] counts, double sumSeconds) {
        /** Nothing observed, in the disk buckets. */
        public static final Snapshot EMPTY = new Snapshot(BOUNDS_SECONDS, new long[BOUNDS_SECONDS.length + 1], 0);

        public long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }
    }

    public Snapshot snapshot() {
        long[] copy = new long[counts.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = counts.get(i);
        }
        return new Snapshot(bounds, copy, sumNanos.sum() / 1e9);
    }
}
