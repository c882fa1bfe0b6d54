package org.ketcd.grpc;

import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * A Netty server channel on a listening socket that can outlive it: it opens on the socket {@link HeldListeners}
 * holds for its address (or a new one), and once told to {@link #handOver()}, closing the channel leaves the socket
 * listening for the next endpoint instead of closing it.
 */
final class HeldListenerChannel extends NioServerSocketChannel {
    private final InetSocketAddress address;
    private final HeldListeners held;
    private volatile boolean handingOver;
    private volatile boolean closed;

    private HeldListenerChannel(InetSocketAddress address, HeldListeners held, ServerSocketChannel socket) {
        super(socket);
        this.address = address;
        this.held = held;
    }

    /** A channel for {@code address}, on the socket {@code held} keeps for it if there is one. */
    static HeldListenerChannel open(InetSocketAddress address, HeldListeners held) {
        ServerSocketChannel socket = held.take(address);
        try {
            return new HeldListenerChannel(address, held, socket != null ? socket : ServerSocketChannel.open());
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a socket for " + address + ": " + e.getMessage(), e);
        }
    }

    /** From now on, closing this channel keeps its socket listening. */
    void handOver() {
        handingOver = true;
    }

    /** Gives the still listening socket to {@link HeldListeners}, once this channel is closed after {@link #handOver()}. */
    void holdSocket() {
        ServerSocketChannel socket = javaChannel();
        if (handingOver && closed && socket.isOpen()) {
            held.hold(address, socket);
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        if (!javaChannel().socket().isBound()) { // a held socket listens already
            super.doBind(localAddress);
        }
    }

    @Override
    public boolean isOpen() {
        return !closed && super.isOpen();
    }

    @Override
    protected void doClose() throws Exception {
        closed = true;
        if (!handingOver || !javaChannel().socket().isBound() || address.getPort() == 0) {
            super.doClose();
        }
    }
}
