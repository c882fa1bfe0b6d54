package org.ketcd.rest;

import com.sun.net.httpserver.HttpHandler;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The long-lived responses of one REST server: gateway streams (watch, lease keep-alive, election observe,
 * snapshot) and SSE watches. Each holds an HTTP worker thread while it runs (the JDK server's Jersey container
 * cannot park a response), so at most {@link RestLimits#MAX_OPEN_STREAMS} run at once and the other workers stay
 * free for short requests. Each ends as soon as the client port reports that its client left
 * ({@link #clientLeft}), not at its next write, which gives back its thread and its watch on the server.
 */
public final class OpenStreams implements AutoCloseable {
    /** The connection of the exchange a worker serves: the JDK server runs one exchange per thread to its end. */
    private static final ThreadLocal<InetSocketAddress> CONNECTION = new ThreadLocal<>();

    private final Semaphore slots = new Semaphore(RestLimits.MAX_OPEN_STREAMS);
    private final Map<InetSocketAddress, Set<Slot>> byConnection = new ConcurrentHashMap<>();
    private final Set<Slot> all = ConcurrentHashMap.newKeySet();

    /** {@code handler}, telling the streams it opens which connection they answer on. */
    HttpHandler tracking(HttpHandler handler) {
        return exchange -> {
            CONNECTION.set(exchange.getRemoteAddress());
            try {
                handler.handle(exchange);
            } finally {
                CONNECTION.remove();
            }
        };
    }

    /**
     * A slot for a stream answering the exchange this thread serves, or null when all are taken. {@code stop}
     * (called from another thread, at most once, possibly before the stream wrote anything) makes it end soon.
     */
    public Slot open(Runnable stop) {
        if (!slots.tryAcquire()) {
            return null;
        }
        Slot slot = new Slot(CONNECTION.get(), stop, true);
        all.add(slot);
        register(slot);
        return slot;
    }

    /**
     * Runs {@code stop} if the client of the exchange this thread serves leaves before the returned handle is
     * closed: for a short request that may wait (a gateway call waiting for a gRPC stream slot). Takes no slot.
     */
    public Slot onClientLeft(Runnable stop) {
        Slot watch = new Slot(CONNECTION.get(), stop, false);
        register(watch);
        return watch;
    }

    private void register(Slot slot) {
        if (slot.connection != null) {
            byConnection.computeIfAbsent(slot.connection, c -> ConcurrentHashMap.newKeySet()).add(slot);
        }
    }

    /** The client of {@code connection} left: its streams end. */
    public void clientLeft(InetSocketAddress connection) {
        Set<Slot> streams = byConnection.remove(connection);
        if (streams != null) {
            streams.forEach(Slot::stop);
        }
    }

    /** Streams running now. */
    public int running() {
        return all.size();
    }

    /** Ends every stream (the server stops). */
    @Override
    public void close() {
        all.forEach(Slot::stop);
    }

    /** One running stream's place (or a request's watch on its client); closed when it ended, whoever ended it. */
    public final class Slot implements AutoCloseable {
        private final InetSocketAddress connection;
        private final Runnable stop;
        private final boolean holdsPermit;
        private boolean stopped;
        private boolean closed;

        private Slot(InetSocketAddress connection, Runnable stop, boolean holdsPermit) {
            this.connection = connection;
            this.stop = stop;
            this.holdsPermit = holdsPermit;
        }

        private void stop() {
            synchronized (this) {
                if (stopped || closed) {
                    return;
                }
                stopped = true;
            }
            stop.run();
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            all.remove(this);
            if (connection != null) {
                byConnection.computeIfPresent(connection, (c, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
            if (holdsPermit) {
                slots.release();
            }
        }
    }
}
