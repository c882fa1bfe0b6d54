package org.ketcd.rest.metrics;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.Collector.Type;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.api.DurationHistogram;

/** Builds metric families under etcd's exact names (Prometheus' text format prints them as given). */
final class Families {
    private final List<MetricFamilySamples> families = new ArrayList<>();

    List<MetricFamilySamples> all() {
        return families;
    }

    Families gauge(String name, String help, double value) {
        return add(name, Type.GAUGE, help, List.of(new Sample(name, List.of(), List.of(), value)));
    }

    /** A gauge of 1 whose one label carries the value, as etcd_server_id{server_id="..."} 1. */
    Families info(String name, String help, String label, String value) {
        return add(name, Type.GAUGE, help, List.of(new Sample(name, List.of(label), List.of(value), 1)));
    }

    Families counter(String name, String help, double value) {
        return add(name, Type.COUNTER, help, List.of(new Sample(name, List.of(), List.of(), value)));
    }

    /** A counter under etcd 3.4's two names for it: etcd_mvcc_{@code suffix} and etcd_debugging_mvcc_{@code suffix}. */
    Families twinCounters(String suffix, String help, double value) {
        return counter("etcd_mvcc_" + suffix, help, value).counter("etcd_debugging_mvcc_" + suffix, help, value);
    }

    /** Buckets cumulative, bounds as etcd prints them (0.001 ... 8.192, +Inf), with _sum and _count. */
    Families histogram(String name, String help, DurationHistogram.Snapshot h) {
        return add(name, Type.HISTOGRAM, help, histogramSamples(name, List.of(), List.of(), h));
    }

    /** One histogram per label value (e.g. etcd's To="<peer id>"); no family at all when there is none, as etcd. */
    Families histograms(String name, String help, String label, java.util.Map<String, DurationHistogram.Snapshot> byValue) {
        if (byValue.isEmpty()) {
            return this;
        }
        List<Sample> samples = new ArrayList<>();
        new java.util.TreeMap<>(byValue).forEach((value, h) -> samples.addAll(histogramSamples(name, List.of(label), List.of(value), h)));
        return add(name, Type.HISTOGRAM, help, samples);
    }

    /** A histogram's samples (buckets with le after {@code labels}, _sum, _count), for a family of several. */
    static List<Sample> histogramSamples(String name, List<String> labels, List<String> values, DurationHistogram.Snapshot h) {
        List<String> bucketLabels = new ArrayList<>(labels);
        bucketLabels.add("le");
        List<Sample> samples = new ArrayList<>();
        long cumulative = 0;
        for (int i = 0; i < h.counts().length; i++) {
            cumulative += h.counts()[i];
            String le = i < h.bounds().length ? goFloat(h.bounds()[i]) : "+Inf";
            List<String> bucketValues = new ArrayList<>(values);
            bucketValues.add(le);
            samples.add(new Sample(name + "_bucket", bucketLabels, bucketValues, cumulative));
        }
        samples.add(new Sample(name + "_sum", labels, values, h.sumSeconds()));
        samples.add(new Sample(name + "_count", labels, values, cumulative));
        return samples;
    }

    /**
     * A bucket bound as etcd's Go client prints it (strconv 'g', shortest): plain decimals for exponents from -4 to 20,
     * so 0.0001 rather than Java's 1.0E-4.
     */
    static String goFloat(double v) {
        int exponent = v == 0 ? 0 : (int) Math.floor(Math.log10(Math.abs(v)));
        if (Double.isFinite(v) && exponent >= -4 && exponent < 21) {
            return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
        }
        return io.prometheus.client.Collector.doubleToGoString(v);
    }

    Families add(String name, Type type, String help, List<Sample> samples) {
        families.add(new MetricFamilySamples(name, type, help, samples));
        return this;
    }
}
