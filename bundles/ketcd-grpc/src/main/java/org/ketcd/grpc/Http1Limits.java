package org.ketcd.grpc;

/**
 * The bounds the client port keeps for each HTTP/1 connection it relays ({@link Http1Connection}). Requests are
 * read here, without a thread per connection, and reach the REST server only once whole; these bound what a
 * client can make the port hold and for how long.
 */
final class Http1Limits {
    /** Request line (method, URL, version): long /config paths fit; etcd (Go) allows 1 MiB for the whole head. */
    static final int MAX_REQUEST_LINE_BYTES = 64 * 1024;
    /** All header lines together: a connection holds at most this while its head arrives. */
    static final int MAX_HEADER_BYTES = 64 * 1024;
    /** From a request's first byte to the end of its head: longer is a slow-header client, answered 408. */
    static final int HEAD_TIMEOUT_SECONDS = 10;
    /** Longest pause between two pieces of a request body before it is answered 408. */
    static final int BODY_IDLE_TIMEOUT_SECONDS = 10;
    /**
     * Longest a request waits for the REST bundle while it is installed but not serving (the member is booting, or
     * the bundle is being updated): then 404, as without the bundle. A waiting connection reads nothing more.
     */
    static final long UPSTREAM_WAIT_MS = 10_000;
    /** How often a waiting request looks for the REST bundle again. */
    static final long UPSTREAM_POLL_MS = 20;
    /** A connection with nothing in progress is closed after this (clients reconnect; the JDK server used 30 s). */
    static final int IDLE_TIMEOUT_SECONDS = 60;
    /** An idle link to the REST server is closed before the JDK server's own 30 s idle close can race a new request. */
    static final int LINK_IDLE_SECONDS = 20;
    /** Longest a write to a client may wait for it to read: a client that stops reading is closed. */
    static final int SEND_TIMEOUT_SECONDS = 30;
    /** A body up to this size is held per connection without asking; every etcd request body but big values fits. */
    static final int SMALL_BODY_BYTES = 64 * 1024;
    /** Bodies above {@link #SMALL_BODY_BYTES} held at once per endpoint (each up to the REST body limit); more get 503. */
    static final int LARGE_BODIES = 16;
    /** Body bytes read and dropped after a refusal, so the client sees the answer rather than a reset. */
    static final long MAX_DISCARD_BYTES = 64L * 1024 * 1024;
    /** Size of the pieces the decoder hands on (a body is collected whole anyway). */
    static final int MAX_CHUNK_BYTES = 64 * 1024;
    /** How long connecting to the loopback REST server may take. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private Http1Limits() {
    }
}
