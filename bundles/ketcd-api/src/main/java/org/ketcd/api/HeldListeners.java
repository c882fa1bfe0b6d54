package org.ketcd.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Listening sockets kept open while the endpoint serving them restarts inside this JVM (an update of the gRPC
 * bundle, a restart of the member): meanwhile a client's connection waits in the socket's backlog instead of being
 * refused, and the next endpoint on the same address accepts it. A socket no endpoint takes back within
 * {@link #HOLD_SECONDS} is closed; from then on the port refuses connections, as with no member.
 *
 * <p>Lives in this bundle because it is the one the restarting bundles depend on and that is not restarted with them.
 */
public final class HeldListeners {
    /** How long a listening socket waits for the next endpoint. */
    public static final int HOLD_SECONDS = 30;

    private static final Map<InetSocketAddress, ServerSocketChannel> HELD = new ConcurrentHashMap<>();

    private HeldListeners() {
    }

    /** Keeps {@code socket}, listening on {@code address}, for the next endpoint on that address. */
    public static void hold(InetSocketAddress address, ServerSocketChannel socket) {
        hold(address, socket, TimeUnit.SECONDS.toMillis(HOLD_SECONDS));
    }

    static void hold(InetSocketAddress address, ServerSocketChannel socket, long holdMillis) {
        ServerSocketChannel previous = HELD.put(address, socket);
        if (previous != null && previous != socket) {
            closeQuietly(previous);
        }
        CompletableFuture.delayedExecutor(holdMillis, TimeUnit.MILLISECONDS).execute(() -> {
            if (HELD.remove(address, socket)) {
                closeQuietly(socket);
            }
        });
    }

    /** The socket held for {@code address}, now the caller's, or null when none is held. */
    public static ServerSocketChannel take(InetSocketAddress address) {
        ServerSocketChannel socket = HELD.remove(address);
        return socket != null && socket.isOpen() ? socket : null;
    }

    /** Whether this JVM holds a listening socket on {@code address} for its next endpoint. */
    public static boolean isHeld(InetSocketAddress address) {
        ServerSocketChannel socket = HELD.get(address);
        return socket != null && socket.isOpen();
    }

    private static void closeQuietly(ServerSocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing listens on it any more either way
        }
    }
}
