package org.ketcd.grpc;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.ketcd.api.Http1Upstream;

/**
 * One client port for gRPC and HTTP/1 (etcd does this with cmux): each new connection's first bytes
 * decide (on an https URL, its first bytes after the TLS handshake). The HTTP/2 connection preface continues as plain gRPC with grpc's own plaintext negotiation
 * (the only cost is one look at the first bytes); anything else is read as HTTP/1 and relayed request by
 * request to the {@link Http1Upstream} (the REST bundle) by an {@link Http1Connection}, or answered with a
 * 404 when there is none.
 */
final class ClientPortNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    /** The client connection preface of HTTP/2 (RFC 9113 section 3.4). */
    static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of the preface that must match before a connection counts as HTTP/2 ("PRI " is no HTTP/1 method). */
    static final int DECIDING_BYTES = 4;
    static final String NO_HTTP_API = "ketcd: no HTTP API on this member (the ketcd-rest feature is not running);"
            + " gRPC clients must speak HTTP/2\n";

    private final InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();
    private final Http1Upstreams http1Upstream;
    private final Semaphore largeBodies;
    /** For an https client URL: the TLS handshake comes first, then the same decision on the decrypted bytes. */
    private final ClientTlsContext tls;

    /** Whether the endpoint is stopping: only then does a close from grpc end an HTTP/1 connection. */
    private final BooleanSupplier stopping;
    private final Http1Paths paths;

    /**
     * {@code largeBodies}: the endpoint's permits for request bodies over {@link Http1Limits#SMALL_BODY_BYTES};
     * {@code tls}: null for an http URL.
     */
    ClientPortNegotiator(Http1Upstreams http1Upstream, Semaphore largeBodies, ClientTlsContext tls,
                         BooleanSupplier stopping) {
        this(http1Upstream, largeBodies, tls, stopping, Http1Paths.ALL);
    }

    /** {@code paths}: which HTTP/1 requests go to the REST bundle, and whether gRPC is served ({@link Http1Paths}). */
    ClientPortNegotiator(Http1Upstreams http1Upstream, Semaphore largeBodies, ClientTlsContext tls,
                         BooleanSupplier stopping, Http1Paths paths) {
        this.http1Upstream = http1Upstream;
        this.largeBodies = largeBodies;
        this.tls = tls;
        this.stopping = stopping;
        this.paths = paths;
    }

    @Override
    public AsciiString scheme() {
        return plaintext.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return new Sniffer(plaintext.newHandler(grpcHandler));
    }

    @Override
    public void close() {
        plaintext.close();
    }

    /** Holds the first bytes (and grpc's negotiation events) until the protocol is known. */
    private final class Sniffer extends ChannelInboundHandlerAdapter {
        private final ChannelHandler grpcNegotiation;
        private final List<Object> heldEvents = new ArrayList<>();
        private ByteBuf firstBytes = Unpooled.EMPTY_BUFFER;
        private ScheduledFuture<?> undecided;
        /** The TLS session once the handshake succeeded (https only), for gRPC's call attributes. */
        private javax.net.ssl.SSLSession session;

        Sniffer(ChannelHandler grpcNegotiation) {
            this.grpcNegotiation = grpcNegotiation;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // HTTP/1's idle bound holds before the protocol is known too (grpc's handshake timeout allows 120 s)
            undecided = ctx.executor().schedule(() -> ctx.close(), Http1Limits.IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (tls != null) {
                ctx.pipeline().addBefore(ctx.name(), null, tls.ssl().newHandler(ctx.alloc()));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake) {
                // a failed handshake (plain text, another CA, an expired certificate) ends the connection
                if (!handshake.isSuccess() || !acceptedPeer(ctx)) {
                    ctx.close();
                }
                return;
            }
            heldEvents.add(evt); // grpc's negotiation starts only if this is gRPC
        }

        private boolean acceptedPeer(ChannelHandlerContext ctx) {
            session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            try {
                return tls.accepts(session.getPeerCertificates());
            } catch (javax.net.ssl.SSLPeerUnverifiedException noClientCertificate) {
                return true; // none was required
            }
        }

        /** grpc's negotiation event, with the TLS session (the peer's certificate) for the calls. */
        private Object withSession(Object evt) {
            if (session == null || !(evt instanceof ProtocolNegotiationEvent negotiated)) {
                return evt;
            }
            return InternalProtocolNegotiationEvent.withAttributes(negotiated, InternalProtocolNegotiationEvent
                    .getAttributes(negotiated).toBuilder().set(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION, session).build());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            firstBytes = Unpooled.wrappedBuffer(firstBytes, bytes);
            Boolean http2 = isHttp2(firstBytes);
            if (http2 == null) {
                return;
            }
            ByteBuf held = firstBytes;
            firstBytes = Unpooled.EMPTY_BUFFER;
            if (http2 && !paths.grpc()) {
                held.release();
                ctx.close(); // a metrics URL serves HTTP/1 only
            } else if (http2) {
                // from here on, not from the pipeline's head: on https the bytes are already decrypted
                ctx.pipeline().replace(this, null, grpcNegotiation);
                heldEvents.forEach(evt -> ctx.fireUserEventTriggered(withSession(evt)));
                ctx.fireChannelRead(held);
            } else {
                Http1Connection.start(ctx, http1Upstream, largeBodies, stopping, paths, held);
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            undecided.cancel(false);
            if (firstBytes.refCnt() > 0 && firstBytes != Unpooled.EMPTY_BUFFER) {
                firstBytes.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** TRUE for the HTTP/2 preface, FALSE for anything else, null while too few bytes arrived. */
    static Boolean isHttp2(ByteBuf bytes) {
        int n = Math.min(bytes.readableBytes(), HTTP2_PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (bytes.getByte(bytes.readerIndex() + i) != HTTP2_PREFACE[i]) {
                return Boolean.FALSE;
            }
        }
        return n >= DECIDING_BYTES ? Boolean.TRUE : null;
    }
}
