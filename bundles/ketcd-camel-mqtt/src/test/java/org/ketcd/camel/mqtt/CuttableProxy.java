package org.ketcd.camel.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP forwarder to the broker that the test can cut: {@link #cut()} resets every connection and every
 * new one until {@link #restore()}, as a broker that went away would.
 */
final class CuttableProxy implements AutoCloseable {
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Connections refused while cut: a client that tries to reconnect shows up here. */
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean cut;

    CuttableProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    int refused() {
        return refused.get();
    }

    void cut() {
        cut = true;
        open.forEach(CuttableProxy::reset);
    }

    void restore() {
        cut = false;
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(CuttableProxy::reset);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    refused.incrementAndGet();
                    reset(client);
                    continue;
                }
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(broker);
                pump(client, broker);
                pump(broker, client);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException ended) {
                // the other direction or a cut closed it
            } finally {
                reset(from);
                reset(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes with RST, as a connection that breaks does. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException alreadyClosed) {
            // nothing left to reset
        }
    }
}
