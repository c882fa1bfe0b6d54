package org.ketcd.grpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.AbstractMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Listening sockets kept open while the endpoint serving them restarts inside this JVM (an update of the gRPC
 * bundle, a restart of the member): meanwhile a client's connection waits in the socket's backlog instead of being
 * refused, and the next endpoint on the same address accepts it. A socket no endpoint takes back within
 * {@link #HOLD_SECONDS} is closed; from then on the port refuses connections, as with no member.
 *
 * <p>The sockets are kept in a map of JDK types only, so that it can outlive the bundles that use it: in Karaf the
 * system bundle holds it ({@link org.ketcd.grpc.osgi.GrpcEndpointComponent}); outside, {@link #inThisJvm()}.
 */
public final class HeldListeners {
    /** How long a listening socket waits for the next endpoint. */
    public static final int HOLD_SECONDS = 30;

    private static final HeldListeners IN_THIS_JVM = new HeldListeners(new ConcurrentHashMap<>());

    /**
     * Each held socket with the time it was held ({@link System#nanoTime()}): one socket is handed from endpoint to
     * endpoint, and the expiry of an earlier hold must not close it during a later one.
     */
    private final ConcurrentMap<InetSocketAddress, Map.Entry<ServerSocketChannel, Long>> held;

    private HeldListeners(ConcurrentMap<InetSocketAddress, Map.Entry<ServerSocketChannel, Long>> held) {
        this.held = held;
    }

    /** The sockets kept in {@code held}, a map shared by every endpoint of this JVM. */
    public static HeldListeners in(ConcurrentMap<InetSocketAddress, Map.Entry<ServerSocketChannel, Long>> held) {
        return new HeldListeners(held);
    }

    /** The sockets kept for endpoints of this JVM that run outside OSGi. */
    public static HeldListeners inThisJvm() {
        return IN_THIS_JVM;
    }

    /** Keeps {@code socket}, listening on {@code address}, for the next endpoint on that address. */
    public void hold(InetSocketAddress address, ServerSocketChannel socket) {
        hold(address, socket, TimeUnit.SECONDS.toMillis(HOLD_SECONDS));
    }

    void hold(InetSocketAddress address, ServerSocketChannel socket, long holdMillis) {
        Map.Entry<ServerSocketChannel, Long> hold = new AbstractMap.SimpleImmutableEntry<>(socket, System.nanoTime());
        Map.Entry<ServerSocketChannel, Long> previous = held.put(address, hold);
        if (previous != null && previous.getKey() != socket) {
            closeQuietly(previous.getKey());
        }
        CompletableFuture.delayedExecutor(holdMillis, TimeUnit.MILLISECONDS).execute(() -> {
            if (held.remove(address, hold)) {
                closeQuietly(socket);
            }
        });
    }

    /** The socket held for {@code address}, now the caller's, or null when none is held. */
    public ServerSocketChannel take(InetSocketAddress address) {
        Map.Entry<ServerSocketChannel, Long> hold = held.remove(address);
        return hold != null && hold.getKey().isOpen() ? hold.getKey() : null;
    }

    private static void closeQuietly(ServerSocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing listens on it any more either way
        }
    }
}
