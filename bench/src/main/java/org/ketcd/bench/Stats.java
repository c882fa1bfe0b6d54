package org.ketcd.bench;

import io.grpc.Status;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Latencies (microseconds, HdrHistogram) and errors grouped by message, safe for concurrent recording. */
final class Stats {
    final String name;
    final Histogram hist = new ConcurrentHistogram(1, 600_000_000L, 3);
    final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    final LongAdder ok = new LongAdder();

    Stats(String name) {
        this.name = name;
    }

    void recordOk(long micros) {
        hist.recordValue(Math.max(1, Math.min(micros, 600_000_000L)));
        ok.increment();
    }

    void recordError(Throwable t) {
        recordError(message(t));
    }

    void recordError(String msg) {
        errors.computeIfAbsent(msg, k -> new LongAdder()).increment();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    static String message(Throwable t) {
        Status s = Status.fromThrowable(t);
        if (s.getCode() != Status.Code.UNKNOWN || s.getDescription() != null) {
            String d = s.getDescription();
            return s.getCode() + (d == null ? "" : ": " + d);
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static double ms(long micros) {
        return micros / 1000.0;
    }

    /** Human summary lines for this histogram. */
    String human(double elapsedSec) {
        StringBuilder b = new StringBuilder();
        long n = ok.sum();
        b.append(String.format("%s: %d ok, %d errors, %.1f ok/s%n", name, n, errorCount(), n / elapsedSec));
        if (n > 0) {
            b.append(String.format("  latency ms: avg %.3f  stddev %.3f  min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
                    hist.getMean() / 1000, hist.getStdDeviation() / 1000, ms(hist.getMinValue()),
                    ms(hist.getValueAtPercentile(50)), ms(hist.getValueAtPercentile(90)),
                    ms(hist.getValueAtPercentile(99)), ms(hist.getValueAtPercentile(99.9)), ms(hist.getMaxValue())));
        }
        Map<String, Long> sorted = errorsSorted();
        if (!sorted.isEmpty()) {
            b.append("  errors:\n");
            sorted.forEach((m, c) -> b.append(String.format("    %8d  %s%n", c, m)));
        }
        return b.toString();
    }

    Map<String, Long> errorsSorted() {
        Map<String, Long> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** JSON object: ok, errors, throughput, latency_ms, error_messages. */
    String json(double elapsedSec) {
        long n = ok.sum();
        Json j = new Json().put("ok", n).put("errors", errorCount())
                .put("throughput", round(n / elapsedSec));
        if (n > 0) {
            j.raw("latency_ms", new Json()
                    .put("mean", round(hist.getMean() / 1000))
                    .put("p50", ms(hist.getValueAtPercentile(50)))
                    .put("p90", ms(hist.getValueAtPercentile(90)))
                    .put("p99", ms(hist.getValueAtPercentile(99)))
                    .put("p999", ms(hist.getValueAtPercentile(99.9)))
                    .put("max", ms(hist.getMaxValue())).toString());
        }
        Json e = new Json();
        errorsSorted().forEach(e::put);
        j.raw("error_messages", e.toString());
        return j.toString();
    }

    static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
