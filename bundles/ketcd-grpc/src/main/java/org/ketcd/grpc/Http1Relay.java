package org.ketcd.grpc;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;

/**
 * One side of a byte-for-byte pipe between a client connection and the HTTP/1 upstream, on the client
 * channel's own event loop. Writes to a side go through its relay's own context: on the client side
 * that is below grpc's write-buffering handler, which would hold them until an HTTP/2 handshake that
 * never comes. Backpressure: a side reads its next chunk only after the previous one was written to the
 * other side, so at most one read buffer per direction is in flight.
 */
final class Http1Relay extends ChannelInboundHandlerAdapter {
    /** How long connecting to the loopback upstream may take. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private Http1Relay peer;
    private ChannelHandlerContext self;

    /** Replaces {@code sniffer} on the client connection with a relay to {@code upstream}, sending {@code firstBytes} first. */
    static void start(ChannelHandlerContext client, ChannelHandler sniffer, InetSocketAddress upstream, ByteBuf firstBytes) {
        Channel clientChannel = client.channel();
        clientChannel.config().setAutoRead(false);
        Http1Relay clientSide = new Http1Relay();
        Http1Relay upstreamSide = new Http1Relay();
        clientSide.peer = upstreamSide;
        upstreamSide.peer = clientSide;
        client.pipeline().replace(sniffer, null, clientSide);
        ChannelFuture connect = new Bootstrap().group(clientChannel.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(upstreamSide)
                .connect(upstream);
        connect.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                firstBytes.release();
                ClientPortNegotiator.refuse(clientSide.self);
                return;
            }
            upstreamSide.self.writeAndFlush(firstBytes).addListener((ChannelFutureListener) w -> {
                if (w.isSuccess()) {
                    clientSide.self.read();
                    upstreamSide.self.read();
                } else {
                    clientSide.self.close();
                    upstreamSide.self.close();
                }
            });
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        self = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.self.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                ctx.read();
            } else {
                ctx.close();
                peer.self.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // the other side gets what is still queued for it, then its connection closes too
        if (peer.self != null && peer.self.channel().isActive()) {
            peer.self.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(x -> peer.self.close());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
