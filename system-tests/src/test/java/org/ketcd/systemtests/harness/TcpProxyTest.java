package org.ketcd.systemtests.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link TcpProxy} against a local echo server: forwarding, cut (existing and new connections), restore, close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpProxyTest {
    private ServerSocket echo;
    private final AtomicInteger echoConnections = new AtomicInteger();

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    echoConnections.incrementAndGet();
                    Thread c = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // reset by the test
                        }
                    }, "echo-conn");
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo-accept");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    private Socket connect(TcpProxy proxy) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2_000);
        s.setSoTimeout(5_000);
        return s;
    }

    private static byte[] roundTrip(Socket s, byte[] data) throws IOException {
        Thread writer = new Thread(() -> {
            try {
                s.getOutputStream().write(data);
                s.getOutputStream().flush();
            } catch (IOException ignored) {
                // seen by the reader
            }
        });
        writer.start();
        byte[] back = s.getInputStream().readNBytes(data.length);
        return back;
    }

    @Test
    void forwards_bytes_both_ways_on_several_connections() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", echo.getLocalPort())) {
            byte[] big = new byte[300_000];
            new Random(42).nextBytes(big);
            try (Socket a = connect(proxy); Socket b = connect(proxy)) {
                assertArrayEquals("hello".getBytes(), roundTrip(a, "hello".getBytes()));
                assertArrayEquals(big, roundTrip(b, big));
                assertArrayEquals("again".getBytes(), roundTrip(a, "again".getBytes()));
                assertEquals(2, proxy.openConnections());
                // a half-close travels through: the echo ends its side, the client reads end of stream
                a.shutdownOutput();
                assertEquals(-1, a.getInputStream().read());
            }
            assertEquals(2, echoConnections.get());
        }
    }

    @Test
    void cut_resets_current_connections_and_refuses_new_ones_until_restore() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", echo.getLocalPort())) {
            Socket before = connect(proxy);
            assertArrayEquals("x".getBytes(), roundTrip(before, "x".getBytes()));

            proxy.cut();
            assertTrue(proxy.isCut());
            assertBroken(before);
            before.close();
            assertEquals(0, proxy.openConnections());

            int echoBefore = echoConnections.get();
            assertRefusedOrBroken(proxy);
            assertEquals(echoBefore, echoConnections.get(), "a connection made while cut must not reach the target");

            proxy.restore();
            try (Socket after = connect(proxy)) {
                assertArrayEquals("back".getBytes(), roundTrip(after, "back".getBytes()));
            }
        }
    }

    @Test
    void target_down_resets_the_client_and_close_frees_the_port() throws Exception {
        int port;
        try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = unused.getLocalPort();
        }
        int proxyPort;
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", port)) {
            proxyPort = proxy.port();
            assertRefusedOrBroken(proxy);
        }
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", proxyPort).close());
    }

    @Test
    void connections_over_the_limit_are_reset() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", echo.getLocalPort(), 1); Socket first = connect(proxy)) {
            assertArrayEquals("1".getBytes(), roundTrip(first, "1".getBytes()));
            assertRefusedOrBroken(proxy);
            assertArrayEquals("2".getBytes(), roundTrip(first, "2".getBytes()));
        }
    }

    /** A new connection through the proxy is reset at once: already while connecting, or at its first read. */
    private void assertRefusedOrBroken(TcpProxy proxy) {
        Socket s;
        try {
            s = connect(proxy);
        } catch (IOException e) {
            return; // the reset arrived before connect() returned
        }
        try (s) {
            assertBroken(s);
        } catch (IOException e) {
            // closing
        }
    }

    /** The connection is dead: a read ends (EOF) or fails (reset), also after writing to it. */
    private static void assertBroken(Socket s) {
        boolean broken;
        try {
            s.getOutputStream().write("ping".getBytes());
            s.getOutputStream().flush();
            broken = s.getInputStream().read() < 0;
        } catch (IOException e) {
            broken = true;
        }
        assertTrue(broken, "connection still alive through a cut proxy");
    }
}
