package org.ketcd.grpc;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpClientCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObject;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.ketcd.api.Http1Upstream;

/**
 * The client port's connection to the REST server for one client connection, on that connection's event loop:
 * requests go out whole, responses come back as decoded HTTP objects, read only when the client took the
 * previous ones ({@link #readMore()}).
 */
final class UpstreamLink {
    /** What a link reports to its client connection (which may have moved on to another link since). */
    interface Listener {
        void fromUpstream(UpstreamLink link, HttpObject response);

        void upstreamReadComplete(UpstreamLink link);

        void upstreamClosed(UpstreamLink link);
    }

    private final Http1Upstream server;
    private final ChannelFuture connected;

    /** Starts connecting to {@code server}; requests may be sent once {@link #connected()} succeeded. */
    UpstreamLink(EventLoop loop, Http1Upstream server, Listener listener) {
        this.server = server;
        this.connected = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Http1Limits.CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new Responses(listener, UpstreamLink.this));
                    }
                })
                .connect(server.address());
    }

    ChannelFuture connected() {
        return connected;
    }

    ChannelFuture send(Object request) {
        return connected.channel().writeAndFlush(request);
    }

    void readMore() {
        if (connected.channel().isActive()) {
            connected.channel().read();
        }
    }

    /** The server ends what it streams on this link: the client closed its side or left. */
    void clientLeft() {
        if (connected.channel().localAddress() instanceof InetSocketAddress relayEnd) {
            server.clientLeft(relayEnd);
        }
    }

    void close() {
        connected.channel().close();
    }

    private static final class Responses extends ChannelInboundHandlerAdapter {
        private final Listener listener;
        private final UpstreamLink link;

        Responses(Listener listener, UpstreamLink link) {
            this.listener = listener;
            this.link = link;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpObject response && response.decoderResult().isSuccess()) {
                listener.fromUpstream(link, response);
            } else {
                ReferenceCountUtil.release(msg);
                ctx.close(); // the REST server wrote no HTTP: nothing sensible can follow
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            listener.upstreamReadComplete(link);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            listener.upstreamClosed(link);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // reported by channelInactive
        }
    }
}
