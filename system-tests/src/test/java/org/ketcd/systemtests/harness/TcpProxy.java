package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on a free loopback port for fault injection between a client and a server (e.g. Camel and a
 * broker): every accepted connection is connected to {@code target} and copied byte for byte both ways, one
 * thread pair per connection, at most {@code maxConnections} at once (more are reset). {@link #cut()} resets all
 * current connections (RST, both sides) and resets every new one at once until {@link #restore()}. Always close
 * it (try-with-resources): that stops the listener and resets what is left.
 */
public final class TcpProxy implements AutoCloseable {
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final AtomicInteger IDS = new AtomicInteger();

    private final InetSocketAddress target;
    private final int maxConnections;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean cut;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this(targetHost, targetPort, DEFAULT_MAX_CONNECTIONS);
    }

    public TcpProxy(String targetHost, int targetPort, int maxConnections) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.maxConnections = maxConnections;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int id = IDS.incrementAndGet();
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + id + "-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's own port on 127.0.0.1 (connect here instead of the target). */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>} */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far (including those reset while cut or over the limit). */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Connections being forwarded now. */
    public int openConnections() {
        return links.size();
    }

    public boolean isCut() {
        return cut;
    }

    /** Resets every current connection and every new one until {@link #restore()}. */
    public void cut() {
        cut = true;
        for (Link l : links) {
            l.reset();
        }
    }

    /** Forwards new connections again. */
    public void restore() {
        cut = false;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Link l : links) {
            l.reset();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (cut || closed || links.size() >= maxConnections) {
                resetQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                resetQuietly(client); // target down: the client sees a reset, as with no proxy it would see a refusal
                resetQuietly(upstream);
                continue;
            }
            Link link = new Link(client, upstream);
            links.add(link);
            if (cut || closed) { // cut while connecting
                link.reset();
                continue;
            }
            link.start();
        }
    }

    private static void resetQuietly(Socket s) {
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0); // close sends RST instead of FIN
            }
        } catch (SocketException ignored) {
            // not connected: nothing to reset
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** One forwarded connection: two pump threads. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private final AtomicInteger finished = new AtomicInteger();

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            String name = "tcp-proxy-" + port() + "-" + client.getPort();
            Thread up = new Thread(() -> pump(client, upstream), name + "-up");
            Thread down = new Thread(() -> pump(upstream, client), name + "-down");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        private void pump(Socket from, Socket to) {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                // end of stream: pass the half-close on
                to.shutdownOutput();
            } catch (IOException e) {
                reset(); // a reset or error on one side resets the other
                return;
            }
            if (finished.incrementAndGet() == 2) {
                closeBoth();
            }
        }

        void reset() {
            links.remove(this);
            resetQuietly(client);
            resetQuietly(upstream);
        }

        private void closeBoth() {
            links.remove(this);
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
