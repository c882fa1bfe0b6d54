package org.ketcd.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void aHeldSocketKeepsTakingConnectionsCountsAsBindableAndIsTakenOnceByTheNextEndpoint() throws Exception {
        ServerSocketChannel socket = listening();
        InetSocketAddress address = addressOf(socket);
        HeldListeners.hold(address, socket, 60_000);
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            assertTrue(client.isConnected(), "a connection made while nobody serves waits in the backlog");
        }
        ListenFailure.checkBindable("127.0.0.1", address.getPort()); // the member's own port, not a taken one
        assertSame(socket, HeldListeners.take(address));
        assertNull(HeldListeners.take(address), "a socket goes to one endpoint");
        assertFalse(HeldListeners.isHeld(address));
        assertThrows(IOException.class, () -> ListenFailure.checkBindable("127.0.0.1", address.getPort()),
                "once taken, the port is the endpoint's and no longer free");
        socket.close();
    }

    @Test
    void aSocketNoEndpointTakesBackIsClosedAfterTheHoldTimeAndThePortRefusesConnections() throws Exception {
        ServerSocketChannel socket = listening();
        InetSocketAddress address = addressOf(socket);
        HeldListeners.hold(address, socket, 200);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (socket.isOpen()) {
            assertTrue(System.nanoTime() < deadline, "the held socket was not closed within 10 s");
            Thread.sleep(20);
        }
        assertNull(HeldListeners.take(address));
        assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close());
    }
}
