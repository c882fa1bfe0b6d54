package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens a TCP connection to one address every {@value #INTERVAL_MILLIS} ms while it runs and counts the ones refused
 * (nothing listening): what a client meets on a member's client port while something restarts behind it. A connection
 * that is accepted, or waits in the listening socket's backlog, counts as not refused; each is closed at once.
 */
public final class ConnectionProbe implements AutoCloseable {
    static final int INTERVAL_MILLIS = 50;
    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;

    private final InetSocketAddress address;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    /** Wall-clock times (ms) of the first and the last refused connection, for reading beside the member's log. */
    private volatile long firstRefused;
    private volatile long lastRefused;
    private final Thread thread;

    private ConnectionProbe(InetSocketAddress address) {
        this.address = address;
        this.thread = new Thread(this::probe, "connection-probe-" + address.getPort());
        this.thread.setDaemon(true);
    }

    public static ConnectionProbe start(String host, int port) {
        ConnectionProbe p = new ConnectionProbe(new InetSocketAddress(host, port));
        p.thread.start();
        return p;
    }

    private void probe() {
        while (!stop.get()) {
            try (Socket s = new Socket()) {
                s.connect(address, CONNECT_TIMEOUT_MILLIS);
                connected.incrementAndGet();
            } catch (ConnectException e) {
                if (refused.incrementAndGet() == 1) {
                    firstRefused = System.currentTimeMillis();
                }
                lastRefused = System.currentTimeMillis();
            } catch (IOException e) {
                connected.incrementAndGet(); // a timeout: the connection waited, it was not refused
            }
            Member.sleep(INTERVAL_MILLIS);
        }
    }

    public int refused() {
        return refused.get();
    }

    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "connections to " + address.getHostString() + ":" + address.getPort() + ": " + connected.get() + " made, "
                + refused.get() + " refused" + (refused.get() == 0 ? "" : " (from " + java.time.Instant.ofEpochMilli(firstRefused)
                + " to " + java.time.Instant.ofEpochMilli(lastRefused) + ")");
    }
}
