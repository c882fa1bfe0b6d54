package org.ketcd.api;

import java.net.InetSocketAddress;

/**
 * An HTTP/1.x server inside this member (the REST bundle) to which the client port hands every
 * connection that is not gRPC, as etcd serves its JSON gateway beside gRPC on one port (cmux). The client
 * port reads each request whole (head and body, within its limits and timeouts) before it forwards it to
 * {@link #address()} on a connection of its own, so the server's threads never wait for a slow client.
 */
public interface Http1Upstream {
    /** The loopback address the server listens on. */
    InetSocketAddress address();

    /** The header that carries {@link #relaySecret()} on every forwarded request. */
    String RELAY_HEADER = "X-Ketcd-Relay";

    /**
     * A secret the client port sends with every request it forwards ({@link #RELAY_HEADER}); the server refuses
     * any request without it, so a local user cannot reach the API past the client port's TLS and limits.
     */
    String relaySecret();

    /** The largest request body the server reads: the client port answers a larger one 413 without forwarding it. */
    int maxRequestBodyBytes();

    /**
     * The client whose requests reach the server from {@code relayAddress} (the client port's end of the
     * forwarding connection) closed its side or left: whatever is still streamed on that connection (a watch)
     * ends now rather than at its next write. An answer still being computed is delivered if the client reads it.
     */
    void clientLeft(InetSocketAddress relayAddress);
}
