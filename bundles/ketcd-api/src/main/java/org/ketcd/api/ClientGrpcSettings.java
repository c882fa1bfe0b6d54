package org.ketcd.api;

import java.util.HashMap;
import java.util.Map;

/**
 * etcd's flags for the gRPC server of the client URLs: {@code --grpc-keepalive-min-time} (a client pinging more
 * often is disconnected), {@code --grpc-keepalive-interval} (the server pings an idle connection this often; 0:
 * never), {@code --grpc-keepalive-timeout} (and closes it when the ping is not answered within this; 0: never)
 * and {@code --max-concurrent-streams} (calls one connection may have open at once). Milliseconds and counts.
 * And {@code --metrics extensive}: the endpoint times every call (grpc_server_handling_seconds).
 * The member passes them to the gRPC endpoint as service properties ({@link #toProperties()}).
 */
public record ClientGrpcSettings(long keepaliveMinTimeMs, long keepaliveIntervalMs, long keepaliveTimeoutMs,
                                 long maxConcurrentStreams, boolean handlingTimeHistograms) {
    private static final String PREFIX = "ketcd.client.grpc.";
    /** etcd 3.4's defaults: 5 s, 2 h, 20 s, math.MaxUint32. */
    public static final ClientGrpcSettings ETCD_DEFAULTS = new ClientGrpcSettings(5_000, 7_200_000, 20_000, 4_294_967_295L, false);

    public Map<String, Object> toProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(PREFIX + "keepalive-min-time-ms", String.valueOf(keepaliveMinTimeMs));
        p.put(PREFIX + "keepalive-interval-ms", String.valueOf(keepaliveIntervalMs));
        p.put(PREFIX + "keepalive-timeout-ms", String.valueOf(keepaliveTimeoutMs));
        p.put(PREFIX + "max-concurrent-streams", String.valueOf(maxConcurrentStreams));
        p.put(PREFIX + "handling-time-histograms", String.valueOf(handlingTimeHistograms));
        return p;
    }

    /** The settings in {@code p}; etcd's default for each one missing. */
    public static ClientGrpcSettings fromProperties(Map<String, Object> p) {
        return new ClientGrpcSettings(number(p, "keepalive-min-time-ms", ETCD_DEFAULTS.keepaliveMinTimeMs),
                number(p, "keepalive-interval-ms", ETCD_DEFAULTS.keepaliveIntervalMs),
                number(p, "keepalive-timeout-ms", ETCD_DEFAULTS.keepaliveTimeoutMs),
                number(p, "max-concurrent-streams", ETCD_DEFAULTS.maxConcurrentStreams),
                Boolean.parseBoolean(String.valueOf(p.get(PREFIX + "handling-time-histograms"))));
    }

    private static long number(Map<String, Object> p, String name, long otherwise) {
        Object v = p.get(PREFIX + name);
        return v == null ? otherwise : Long.parseLong(v.toString());
    }
}
