package org.ketcd.rest.metrics;

import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.ketcd.api.GrpcCallStats;

/**
 * go-grpc-prometheus' grpc_server_* counters (and its handling-time histogram with --metrics extensive) and etcd's
 * client byte counters, from the gRPC bundle's
 * {@link GrpcCallStats}; none while that bundle is not running.
 */
final class GrpcCallCollector extends Collector {
    /** The service of the Watch method, whose streams open are etcd_debugging_mvcc_watch_stream_total. */
    private static final String WATCH_SERVICE = "etcdserverpb.Watch";
    private static final List<String> METHOD_LABELS = List.of("grpc_method", "grpc_service", "grpc_type");
    private static final List<String> HANDLED_LABELS = List.of("grpc_code", "grpc_method", "grpc_service", "grpc_type");
    private final Supplier<GrpcCallStats> stats;

    GrpcCallCollector(Supplier<GrpcCallStats> stats) {
        this.stats = stats;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GrpcCallStats calls = stats.get();
        if (calls == null) {
            return List.of();
        }
        List<MetricFamilySamples.Sample> started = new ArrayList<>();
        List<MetricFamilySamples.Sample> handled = new ArrayList<>();
        List<MetricFamilySamples.Sample> received = new ArrayList<>();
        List<MetricFamilySamples.Sample> sent = new ArrayList<>();
        List<MetricFamilySamples.Sample> handlingTimes = new ArrayList<>();
        long watchStreams = 0;
        for (GrpcCallStats.Method m : calls.methods()) {
            if (m.service().equals(WATCH_SERVICE) && m.method().equals("Watch")) {
                watchStreams = m.started() - m.handled().values().stream().mapToLong(Long::longValue).sum();
            }
            List<String> labels = List.of(m.method(), m.service(), m.type());
            started.add(new MetricFamilySamples.Sample("grpc_server_started_total", METHOD_LABELS, labels, m.started()));
            received.add(new MetricFamilySamples.Sample("grpc_server_msg_received_total", METHOD_LABELS, labels, m.messagesReceived()));
            sent.add(new MetricFamilySamples.Sample("grpc_server_msg_sent_total", METHOD_LABELS, labels, m.messagesSent()));
            if (m.handlingSeconds() != null) {
                handlingTimes.addAll(Families.histogramSamples("grpc_server_handling_seconds", METHOD_LABELS, labels,
                        m.handlingSeconds()));
            }
            for (Map.Entry<String, Long> code : m.handled().entrySet()) {
                handled.add(new MetricFamilySamples.Sample("grpc_server_handled_total", HANDLED_LABELS,
                        List.of(code.getKey(), m.method(), m.service(), m.type()), code.getValue()));
            }
        }
        Families families = new Families();
        if (calls.handlingTimes()) {
            families.add("grpc_server_handling_seconds", Type.HISTOGRAM,
                    "How long the server took for each RPC, until its status was sent (--metrics extensive).", handlingTimes);
        }
        return families
                .add("grpc_server_started_total", Type.COUNTER, "RPCs started on the server.", started)
                .add("grpc_server_handled_total", Type.COUNTER, "RPCs the server completed, by status code.", handled)
                .add("grpc_server_msg_received_total", Type.COUNTER, "Stream messages the server received.", received)
                .add("grpc_server_msg_sent_total", Type.COUNTER, "Stream messages the server sent.", sent)
                .counter("etcd_network_client_grpc_received_bytes_total", "Bytes received from gRPC clients.",
                        calls.receivedBytes())
                .counter("etcd_network_client_grpc_sent_bytes_total", "Bytes sent to gRPC clients.", calls.sentBytes())
                .gauge("etcd_debugging_mvcc_watch_stream_total", "Watch streams open (the JSON gateway's too).", watchStreams)
                .all();
    }
}
