package org.ketcd.raft;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;

/**
 * This member's connections to other members' peer ports, one per address, opened on first use. A
 * connection whose peer went away is dropped, so that the next call dials afresh instead of waiting
 * out gRPC's reconnect back-off (up to two minutes) after the peer has restarted.
 */
final class PeerChannels implements AutoCloseable {
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final PeerTransport transport;
    private volatile boolean closed;

    PeerChannels(PeerTransport transport) {
        this.transport = transport;
    }

    ManagedChannel to(String address) {
        if (closed) {
            throw new IllegalStateException("this member is stopping");
        }
        return channels.computeIfAbsent(address, transport::dial);
    }

    /** Drops the connection to {@code address} (a call to it failed as unreachable). */
    void drop(String address) {
        ManagedChannel channel = channels.remove(address);
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    @Override
    public void close() {
        closed = true;
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
