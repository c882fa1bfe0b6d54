package org.ketcd.rest;

/**
 * Every bound the REST API keeps, in one place. Derived from {@code --max-request-bytes} like etcd's
 * gRPC limit ({@code --max-request-bytes} + 512 KiB overhead).
 *
 * @param grpcMessageBytes the largest protobuf request the gateway forwards (etcd's gRPC receive limit);
 *                         larger ones get etcd's 429 "grpc: received message larger than max"
 * @param bodyBytes        the largest HTTP request body read at all (JSON carries base64, 4/3 of the bytes,
 *                         plus field names: twice the gRPC limit); larger ones get 413 without being read
 */
public record RestLimits(int grpcMessageBytes, int bodyBytes) {
    /** etcd's grpcOverheadBytes. */
    public static final int GRPC_OVERHEAD_BYTES = 512 * 1024;
    /** Responses a gateway stream or SSE watch holds for a slow HTTP client before the producer waits. */
    public static final int STREAM_BUFFER_MESSAGES = 64;
    /** Worker threads of the HTTP server: each open stream (watch, keep-alive, SSE) holds one while it runs. */
    public static final int HTTP_THREADS = 256;
    /** Streams open at once: half the workers, so short requests (/health among them) always find one. */
    public static final int MAX_OPEN_STREAMS = HTTP_THREADS / 2;
    /** Requests waiting for a worker when all are busy; beyond, the JDK server closes the connection unanswered. */
    public static final int HTTP_QUEUE = 1024;

    public static RestLimits forMaxRequestBytes(int maxRequestBytes) {
        int grpc = maxRequestBytes + GRPC_OVERHEAD_BYTES;
        return new RestLimits(grpc, (int) Math.min(Integer.MAX_VALUE - 16, 2L * grpc));
    }
}
