package org.ketcd.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * etcd's words for a port it cannot listen on, e.g. {@code listen tcp 127.0.0.1:2379: bind: address already
 * in use} (Go's net error), made from the bind failure of a Java server (grpc-java or Ratis' Netty).
 */
public final class ListenFailure {
    private ListenFailure() {
    }

    /**
     * Throws etcd's listen error (the message of {@link #message}) if {@code host:port} cannot be bound now: a
     * trial bind, closed at once. SO_REUSEADDR is on, as on Go's listeners and the servers', so connections of an
     * earlier process still in TIME_WAIT do not count as a taken port.
     */
    public static void checkBindable(String host, int port) throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IOException("listen tcp: lookup " + host + ": no such host"); // Go's words
        }
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(address);
        } catch (IOException e) {
            throw new IOException(message(host, port, e), e);
        }
    }

    /** Whether {@code failure} (anything a server's start threw) is the failure to bind its port. */
    public static boolean isBindFailure(Throwable failure) {
        Throwable root = root(failure);
        return root instanceof java.net.BindException
                || (root.getMessage() != null && root.getMessage().startsWith("bind("));
    }

    /** The message for a failed bind of {@code host:port}; {@code failure} is whatever the server threw. */
    public static String message(String host, int port, Throwable failure) {
        Throwable root = root(failure);
        String reason = root.getMessage() == null ? root.toString() : root.getMessage();
        // Netty's native transport: "bind(..) failed with error(-98): Address already in use"
        int colon = reason.lastIndexOf("): ");
        if (reason.startsWith("bind(") && colon > 0) {
            reason = reason.substring(colon + 3);
        }
        if (!reason.isEmpty()) {
            reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1); // Go's lower-case errno text
        }
        String address = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        return "listen tcp " + address + ": bind: " + reason;
    }

    private static Throwable root(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
