package org.ketcd.grpc;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The calls the JSON gateway has open at once, bounded by {@code --max-concurrent-streams}: etcd's gateway reaches
 * its own gRPC server over one connection, so that flag bounds the gateway's calls together (watches, keep-alives
 * and unary requests alike). A call beyond the bound waits, first come first served, until an open one ends, as an
 * HTTP/2 stream waits for the server's stream quota; a waiting call can be withdrawn (its HTTP client left).
 * Waiting calls hold no thread here; each holds the REST worker thread that waits for its answer, so the REST
 * server's worker count bounds them.
 */
final class GatewayCallSlots {
    private final long max;
    private final Deque<Runnable> waiting = new ArrayDeque<>();
    private long open;

    GatewayCallSlots(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one call must be allowed, got " + max);
        }
        this.max = max;
    }

    /** Runs {@code start} now when a slot is free, else when one frees; each start that ran is {@link #release}d once. */
    void start(Runnable start) {
        synchronized (this) {
            if (open >= max) {
                waiting.addLast(start);
                return;
            }
            open++;
        }
        start.run();
    }

    /** Takes back a start that still waits: true if it will not run, false if it ran or runs now. */
    synchronized boolean withdraw(Runnable start) {
        return waiting.removeIf(w -> w == start);
    }

    /** A started call ended: its slot goes to the longest-waiting start, if any. */
    void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.pollFirst();
            if (next == null) {
                open--;
                return;
            }
        }
        next.run();
    }

    /** Calls running now (for tests and diagnostics). */
    synchronized long open() {
        return open;
    }

    /** Calls waiting for a slot now. */
    synchronized int waiting() {
        return waiting.size();
    }
}
