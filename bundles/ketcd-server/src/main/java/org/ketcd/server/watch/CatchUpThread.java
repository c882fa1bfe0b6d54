package org.ketcd.server.watch;

import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that runs a hub's catch-up rounds whenever woken, until a round finds nothing to do;
 * so lagging watchers read history off the apply thread.
 */
public final class CatchUpThread implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpThread.class);

    private final Thread thread;
    private BooleanSupplier round;
    private boolean woken;
    private boolean closed;

    public CatchUpThread(String name) {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
    }

    /** Starts running {@code round} (e.g. {@link WatchHub#catchUpRound()}) when woken. */
    public synchronized void start(BooleanSupplier round) {
        this.round = round;
        thread.start();
    }

    public synchronized void wake() {
        woken = true;
        notifyAll();
    }

    private void loop() {
        while (true) {
            BooleanSupplier r;
            synchronized (this) {
                while (!woken && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                woken = false;
                r = round;
            }
            try {
                while (r.getAsBoolean() && !isClosed()) {
                    // until the lagging watchers are synced or out of buffer room
                }
            } catch (RuntimeException e) {
                LOG.error("watch catch-up failed", e);
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        thread.join();
    }
}
