package org.ketcd.grpc;

import java.util.Set;

/**
 * Which HTTP/1 request paths a listener forwards to the REST bundle: every one on a client URL; on a metrics URL
 * ({@code --listen-metrics-urls}) only the metrics and health endpoints, as etcd's metrics listener serves them.
 */
record Http1Paths(Set<String> only) {
    /** A client URL's: the whole HTTP API. */
    static final Http1Paths ALL = new Http1Paths(null);
    /** A metrics URL's: etcd 3.4's /metrics and /health, and 3.5's /readyz and /livez. */
    static final Http1Paths METRICS = new Http1Paths(Set.of("/metrics", "/health", "/readyz", "/livez"));

    /** Whether a request for {@code uri} (a request target: path, then perhaps a query) is forwarded. */
    boolean allows(String uri) {
        if (only == null) {
            return true;
        }
        int query = uri.indexOf('?');
        return only.contains(query < 0 ? uri : uri.substring(0, query));
    }

    /** Whether gRPC (HTTP/2) is served too: on client URLs only. */
    boolean grpc() {
        return only == null;
    }
}
