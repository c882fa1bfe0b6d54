package org.ketcd.api;

import java.util.List;
import java.util.Map;

/**
 * The gRPC calls a member's client port has served, per method (go-grpc-prometheus' grpc_server_* metrics, which
 * etcd exports), and the bytes of its client messages (etcd_network_client_grpc_received_bytes_total and
 * _sent_bytes_total). Registered as an OSGi service by the gRPC bundle; {@code /metrics} reads it when scraped.
 */
public interface GrpcCallStats {
    /**
     * One method: {@code type} is go-grpc-prometheus' grpc_type (unary, client_stream, server_stream, bidi_stream);
     * {@code handled} counts finished calls by gRPC status code name (OK, NotFound, ... as Go spells them);
     * {@code handlingSeconds} how long the finished calls took, from the stream's start to its close (null unless
     * {@link #handlingTimes()}).
     */
    record Method(String service, String method, String type, long started, Map<String, Long> handled,
                  long messagesReceived, long messagesSent, DurationHistogram.Snapshot handlingSeconds) {
    }

    /** Whether calls are timed (etcd's --metrics extensive: grpc_server_handling_seconds). */
    boolean handlingTimes();

    /** Every method of etcd's v3 services, also those never called (their counters are 0, as in etcd). */
    List<Method> methods();

    long receivedBytes();

    long sentBytes();
}
