package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class HeldListenersTest {

    private static ServerSocketChannel listening() throws IOException {
        ServerSocketChannel socket = ServerSocketChannel.open();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return socket;
    }

    private static InetSocketAddress addressOf(ServerSocketChannel socket) throws IOException {
        return (InetSocketAddress) socket.getLocalAddress();
    }

    private final HeldListeners held = HeldListeners.in(new ConcurrentHashMap<>());

    @Test
    void aHeldSocketKeepsTakingConnectionsAndIsTakenOnceByTheNextEndpoint() throws Exception {
        ServerSocketChannel socket = listening();
        InetSocketAddress address = addressOf(socket);
        held.hold(address, socket, 60_000);
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            assertTrue(client.isConnected(), "a connection made while nobody serves waits in the backlog");
        }
        assertSame(socket, held.take(address));
        assertNull(held.take(address), "a socket goes to one endpoint");
        assertTrue(socket.isOpen(), "taken, the socket is the endpoint's to serve");
        socket.close();
    }

    @Test
    void theExpiryOfAnEarlierHoldDoesNotCloseTheSameSocketHeldAgainForTheNextEndpoint() throws Exception {
        ServerSocketChannel socket = listening();
        InetSocketAddress address = addressOf(socket);
        held.hold(address, socket, 200); // one endpoint stops
        // a socket held after it for longer: once that one is closed, the first hold has expired too
        ServerSocketChannel sentinel = listening();
        held.hold(addressOf(sentinel), sentinel, 400);
        assertSame(socket, held.take(address)); // the next endpoint takes the socket
        held.hold(address, socket, 60_000); // and stops in turn, long before the one after it starts
        awaitClosed(sentinel);
        assertTrue(socket.isOpen(), "the socket still listens for the endpoint after");
        assertSame(socket, held.take(address));
        socket.close();
    }

    @Test
    void aSocketNoEndpointTakesBackIsClosedAfterTheHoldTimeAndThePortRefusesConnections() throws Exception {
        ServerSocketChannel socket = listening();
        InetSocketAddress address = addressOf(socket);
        held.hold(address, socket, 200);
        awaitClosed(socket);
        assertNull(held.take(address));
        assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close());
    }

    private static void awaitClosed(ServerSocketChannel socket) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (socket.isOpen()) {
            assertTrue(System.nanoTime() < deadline, "the held socket was not closed within 10 s");
            Thread.sleep(20);
        }
    }
}
