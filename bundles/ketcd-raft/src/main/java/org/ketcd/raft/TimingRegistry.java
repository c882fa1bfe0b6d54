package org.ketcd.raft;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.ketcd.api.DurationHistogram;

/**
 * One of Ratis' metric registries (one component of one member, e.g. its log worker): timers as
 * {@link DurationHistogram}s, counters as adders; gauges are kept for Ratis but not read. The log appender's timers
 * (a leader's round trips to each follower) use etcd's round-trip buckets, every other timer etcd's disk buckets.
 * Thread-safe: Ratis' threads time and count concurrently with a scrape.
 */
final class TimingRegistry implements RatisMetricRegistry {
    private final MetricRegistryInfo info;
    private final ConcurrentMap<String, HistogramTimekeeper> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Supplier<?>> gauges = new ConcurrentHashMap<>();

    /** The component of Ratis' registry that times a leader's appends and heartbeats to each follower. */
    static final String LOG_APPENDER_COMPONENT = "log_appender";

    private final boolean roundTrips;

    TimingRegistry(MetricRegistryInfo info) {
        this.info = info;
        this.roundTrips = LOG_APPENDER_COMPONENT.equals(info.getMetricsComponentName());
    }

    @Override
    public Timekeeper timer(String name) {
        return timers.computeIfAbsent(name, n -> new HistogramTimekeeper(roundTrips ? DurationHistogram.forRoundTrips() : new DurationHistogram()));
    }

    /** What timer {@code name} measured so far, if Ratis made it. */
    Optional<DurationHistogram.Snapshot> timings(String name) {
        return Optional.ofNullable(timers.get(name)).map(t -> t.histogram.snapshot());
    }

    /** What every timer measured so far, by name. */
    java.util.Map<String, DurationHistogram.Snapshot> allTimings() {
        java.util.Map<String, DurationHistogram.Snapshot> all = new java.util.HashMap<>();
        timers.forEach((name, t) -> all.put(name, t.histogram.snapshot()));
        return all;
    }

    @Override
    public LongCounter counter(String name) {
        return counters.computeIfAbsent(name, n -> new Counter());
    }

    @Override
    public boolean remove(String name) {
        return timers.remove(name) != null | counters.remove(name) != null | gauges.remove(name) != null;
    }

    @Override
    public <T> void gauge(String name, Supplier<Supplier<T>> gaugeSupplier) {
        gauges.put(name, gaugeSupplier.get());
    }

    @Override
    public MetricRegistryInfo getMetricRegistryInfo() {
        return info;
    }

    private static final class HistogramTimekeeper implements Timekeeper {
        final DurationHistogram histogram;

        HistogramTimekeeper(DurationHistogram histogram) {
            this.histogram = histogram;
        }

        @Override
        public Context time() {
            long start = System.nanoTime();
            return () -> {
                long elapsed = System.nanoTime() - start;
                histogram.observe(elapsed);
                return elapsed;
            };
        }
    }

    private static final class Counter implements LongCounter {
        private final LongAdder count = new LongAdder();

        @Override
        public void inc(long n) {
            count.add(n);
        }

        @Override
        public void dec(long n) {
            count.add(-n);
        }

        @Override
        public long getCount() {
            return count.sum();
        }
    }
}
