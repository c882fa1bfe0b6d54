package org.ketcd.api;

import java.net.InetSocketAddress;

/**
 * An HTTP/1.x server inside this member (the REST bundle) to which the client port hands every
 * connection that is not gRPC: the client port sniffs each new connection and pipes non-HTTP/2 ones
 * byte for byte to {@link #address()}, as etcd serves its JSON gateway beside gRPC on one port (cmux).
 */
public interface Http1Upstream {
    /** The loopback address the server listens on. */
    InetSocketAddress address();
}
