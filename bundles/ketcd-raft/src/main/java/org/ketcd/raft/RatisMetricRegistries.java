package org.ketcd.raft;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.util.TimeDuration;

/**
 * Where Ratis keeps its metrics in Ketcd (found by Ratis through {@code META-INF/services}, in place of Ratis' Dropwizard
 * registries): each timer is a {@link org.ketcd.api.DurationHistogram} in etcd's buckets, so {@code /metrics} exports
 * Ratis' timings as etcd's histograms (its log sync becomes {@code etcd_disk_wal_fsync_duration_seconds}). No
 * reporters: Ratis' JMX and console reporters are not offered, the numbers reach operators through {@code /metrics}.
 */
public final class RatisMetricRegistries extends MetricRegistries {
    private final ConcurrentMap<MetricRegistryInfo, TimingRegistry> registries = new ConcurrentHashMap<>();

    /** For Ratis' ServiceLoader. */
    public RatisMetricRegistries() {
    }

    @Override
    public void clear() {
        registries.clear();
    }

    @Override
    public RatisMetricRegistry create(MetricRegistryInfo info) {
        return registries.computeIfAbsent(info, TimingRegistry::new);
    }

    @Override
    public boolean remove(MetricRegistryInfo info) {
        return registries.remove(info) != null;
    }

    @Override
    public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
        return Optional.ofNullable(registries.get(info));
    }

    /** The registry Ratis made for {@code prefix} (a member of a group), application and component, if any. */
    Optional<TimingRegistry> find(String prefix, String application, String component) {
        return registries.entrySet().stream()
                .filter(e -> e.getKey().getPrefix().equals(prefix) && e.getKey().getApplicationName().equals(application)
                        && e.getKey().getMetricsComponentName().equals(component))
                .map(java.util.Map.Entry::getValue).findFirst();
    }

    @Override
    public Set<MetricRegistryInfo> getMetricRegistryInfos() {
        return Set.copyOf(registries.keySet());
    }

    @Override
    public Collection<RatisMetricRegistry> getMetricRegistries() {
        return List.copyOf(registries.values());
    }

    @Override
    public void addReporterRegistration(Consumer<RatisMetricRegistry> onAdd, Consumer<RatisMetricRegistry> onRemove) {
        // no reporters (see the class comment)
    }

    @Override
    public void enableJmxReporter() {
        // no reporters (see the class comment)
    }

    @Override
    public void enableConsoleReporter(TimeDuration period) {
        // no reporters (see the class comment)
    }
}
