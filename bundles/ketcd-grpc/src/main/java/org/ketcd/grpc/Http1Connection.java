package org.ketcd.grpc;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.ChannelOutboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.channel.ChannelPromise;
import io.grpc.netty.shaded.io.netty.channel.socket.ChannelInputShutdownEvent;
import io.grpc.netty.shaded.io.netty.channel.socket.DuplexChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpDecoderConfig;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObject;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.LastHttpContent;
import io.grpc.netty.shaded.io.netty.handler.timeout.WriteTimeoutHandler;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.ketcd.api.Http1Upstream;

/**
 * One HTTP/1 client connection on the client port, relayed request by request to the REST server on the
 * connection's event loop, with no thread of its own. Each request is read whole here, within
 * {@link Http1Limits}' sizes and timeouts, before it is forwarded, so a slow or endless head or body holds
 * a little memory and never a server thread; one request is forwarded at a time and its response relayed as
 * fast as the client reads it. A client that closes its sending side still gets the answers it asked for;
 * one that leaves ends its streams on the server at once ({@link Http1Upstream#clientLeft}).
 */
final class Http1Connection extends ChannelInboundHandlerAdapter implements UpstreamLink.Listener {
    private static final HttpDecoderConfig DECODING = new HttpDecoderConfig()
            .setMaxInitialLineLength(Http1Limits.MAX_REQUEST_LINE_BYTES)
            .setMaxHeaderSize(Http1Limits.MAX_HEADER_BYTES)
            .setMaxChunkSize(Http1Limits.MAX_CHUNK_BYTES);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Http1Upstreams servers;
    private final Semaphore largeBodies;
    private final BooleanSupplier stopping;
    private final Http1Paths paths;
    private final ByteArrival bytes = new ByteArrival();
    private ChannelHandlerContext ctx;
    private Http1Upstream server;
    private UpstreamLink upstream;
    /** The request whose body is arriving. */
    private RequestCollector receiving;
    /** A whole request waiting for the one in flight to be answered. */
    private RequestCollector ready;
    private boolean headStarted;
    private boolean inFlight;
    private boolean continueOwed;
    private boolean inputClosed;
    private boolean lastResponse;
    /** grpc's transport asked to close this connection: it does once nothing is in progress. */
    private boolean closeWhenIdle;
    /** After a refusal: bytes read and dropped so far, or -1. */
    private long discarded = -1;
    private ScheduledFuture<?> timer;
    private ScheduledFuture<?> linkTimer;
    /** While a head waits for the REST bundle to serve: it and whatever was decoded after it, in order. */
    private ArrayDeque<Object> heldForUpstream;
    /** The head that has had its wait for the REST bundle: refused if none serves by then. */
    private HttpRequest waitedForUpstream;

    private Http1Connection(Http1Upstreams servers, Semaphore largeBodies, BooleanSupplier stopping, Http1Paths paths) {
        this.servers = servers;
        this.largeBodies = largeBodies;
        this.stopping = stopping;
        this.paths = paths;
    }

    /**
     * Replaces {@code sniffer} on its connection with an HTTP/1 relay, which reads {@code firstBytes} first and
     * forwards the requests whose path {@code paths} allows (others get Go's 404).
     */
    static void start(ChannelHandlerContext sniffer, Http1Upstreams servers, Semaphore largeBodies, BooleanSupplier stopping,
                      Http1Paths paths, ByteBuf firstBytes) {
        Channel channel = sniffer.channel();
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.config().setAutoRead(true);
        Http1Connection connection = new Http1Connection(servers, largeBodies, stopping, paths);
        WriteTimeoutHandler sendTimeout = new WriteTimeoutHandler(Http1Limits.SEND_TIMEOUT_SECONDS);
        ChannelPipeline p = sniffer.pipeline();
        p.addBefore(sniffer.name(), null, sendTimeout);
        p.addBefore(sniffer.name(), null, connection.bytes);
        p.addBefore(sniffer.name(), null, new HttpServerCodec(DECODING));
        p.addBefore(sniffer.name(), null, connection);
        p.addLast(connection.new GrpcCloseCommands());
        p.remove(sniffer.handler());
        p.context(sendTimeout).fireChannelRead(firstBytes);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        awaitNextRequest();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discarded >= 0) {
            ReferenceCountUtil.release(msg); // decoded from bytes that came before the refusal
            return;
        }
        if (heldForUpstream != null) {
            heldForUpstream.add(msg);
            return;
        }
        if (msg instanceof HttpRequest head) {
            headArrived(head);
        }
        if (msg instanceof HttpContent content) {
            if (receiving == null) {
                content.release(); // the rest of a refused request
            } else {
                bodyArrived(content);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void headArrived(HttpRequest head) {
        headStarted = false;
        cancelTimer();
        if (!paths.allows(head.uri())) {
            refuse(Http1Answers.pageNotFound());
            return;
        }
        if (server == null) {
            server = servers.current();
            if (server == null && servers.expected() && waitedForUpstream != head) {
                awaitUpstream(head);
                return;
            }
            if (server == null) {
                refuse(Http1Answers.noHttpApi());
                return;
            }
        }
        try {
            receiving = RequestCollector.start(head, ctx.alloc(), server.maxRequestBodyBytes(), largeBodies);
        } catch (RequestCollector.Refusal r) {
            refuse(r.answer);
            return;
        }
        if (receiving.expectsContinue()) {
            if (inFlight) {
                continueOwed = true; // not in the middle of another response
            } else {
                sendContinue();
            }
        }
        await(Http1Limits.BODY_IDLE_TIMEOUT_SECONDS, this::bodyStalled);
    }

    private void bodyArrived(HttpContent content) {
        try {
            receiving.add(content);
        } catch (RequestCollector.Refusal r) {
            refuse(r.answer);
            return;
        }
        if (!(content instanceof LastHttpContent)) {
            await(Http1Limits.BODY_IDLE_TIMEOUT_SECONDS, this::bodyStalled);
            return;
        }
        cancelTimer();
        receiving.finish();
        ready = receiving;
        receiving = null;
        if (inFlight) {
            ctx.channel().config().setAutoRead(false); // one request waits at most; the next bytes stay in the socket
        } else {
            forward();
        }
    }

    private void forward() {
        cancel(linkTimer);
        linkTimer = null;
        RequestCollector sent = ready;
        ready = null;
        inFlight = true;
        lastResponse = false;
        if (upstream == null) {
            server = servers.current();
            if (server == null) {
                sent.release();
                inFlight = false;
                refuse(Http1Answers.noHttpApi());
                return;
            }
            upstream = new UpstreamLink(ctx.channel().eventLoop(), server, this);
        }
        UpstreamLink link = upstream;
        FullHttpRequest request = sent.take();
        // only the client port may say a request came through it; a client's own header is dropped
        request.headers().set(Http1Upstream.RELAY_HEADER, server.relaySecret());
        link.connected().addListener((ChannelFutureListener) connected -> {
            if (!connected.isSuccess()) {
                request.release();
                sent.releasePermit();
                inFlight = false;
                refuse(Http1Answers.noHttpApi()); // the REST bundle is stopping
                return;
            }
            link.send(request).addListener((ChannelFutureListener) written -> {
                sent.releasePermit();
                if (written.isSuccess()) {
                    link.readMore();
                } else {
                    ctx.close();
                }
            });
        });
    }

    /** Holds {@code head} (and reads nothing more) until the REST bundle serves, it is no longer expected, or the wait is over. */
    private void awaitUpstream(HttpRequest head) {
        waitedForUpstream = head;
        heldForUpstream = new ArrayDeque<>();
        heldForUpstream.add(head);
        ctx.channel().config().setAutoRead(false);
        pollUpstream(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Http1Limits.UPSTREAM_WAIT_MS));
    }

    private void pollUpstream(long deadlineNanos) {
        timer = ctx.executor().schedule(() -> {
            if (servers.current() == null && servers.expected() && System.nanoTime() < deadlineNanos) {
                pollUpstream(deadlineNanos);
                return;
            }
            ArrayDeque<Object> held = heldForUpstream;
            heldForUpstream = null;
            ctx.channel().config().setAutoRead(true);
            for (Object msg : held) {
                channelRead(ctx, msg); // the head first: served now, or refused
            }
        }, Http1Limits.UPSTREAM_POLL_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void fromUpstream(UpstreamLink link, HttpObject response) {
        if (link != upstream) {
            ReferenceCountUtil.release(response);
            return;
        }
        if (response instanceof HttpResponse head) {
            lastResponse = !HttpUtil.isKeepAlive(head);
        }
        ctx.write(response);
        if (response instanceof LastHttpContent) {
            responseComplete();
        }
    }

    @Override
    public void upstreamReadComplete(UpstreamLink link) {
        if (link != upstream) {
            return;
        }
        ctx.flush();
        if (ctx.channel().isWritable()) {
            link.readMore();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && upstream != null) {
            upstream.readMore(); // the client took what was queued: the next part of the response
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void responseComplete() {
        inFlight = false;
        if (lastResponse || closeWhenIdle || (inputClosed && ready == null)) {
            closeAfterFlush();
        } else if (ready != null) {
            ctx.channel().config().setAutoRead(true);
            forward();
        } else if (receiving != null && continueOwed) {
            sendContinue();
        } else if (receiving == null) {
            awaitNextRequest();
        }
    }

    @Override
    public void upstreamClosed(UpstreamLink link) {
        if (link != upstream) {
            return;
        }
        if (inFlight) {
            closeAfterFlush(); // the server closed mid-answer: the client sees the connection end too
        } else {
            dropLink();
        }
    }

    /** The next request opens a new link, to the server registered then (the REST bundle may have been replaced). */
    private void dropLink() {
        cancel(linkTimer);
        linkTimer = null;
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        server = null;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof ChannelInputShutdownEvent)) {
            return; // grpc's negotiation events: not for HTTP/1
        }
        inputClosed = true;
        if (heldForUpstream != null) {
            return; // the held request is still answered
        }
        if (upstream != null) {
            upstream.clientLeft();
        }
        if (receiving != null && !inFlight) {
            refuse(receiving.truncated()); // it may still read the answer
        } else if (discarded >= 0 || receiving != null || (!inFlight && ready == null)) {
            ctx.close(); // nothing (whole) left to answer
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        cancel(linkTimer);
        for (RequestCollector r : new RequestCollector[] {receiving, ready}) {
            if (r != null) {
                r.release();
            }
        }
        receiving = null;
        ready = null;
        if (heldForUpstream != null) {
            heldForUpstream.forEach(ReferenceCountUtil::release);
            heldForUpstream = null;
        }
        if (upstream != null) {
            upstream.clientLeft();
            upstream.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset, a write that waited too long: the client is gone either way
    }

    /**
     * Answers a request the server never sees, then reads and drops what the client still sends (up to
     * {@link Http1Limits#MAX_DISCARD_BYTES}) so it gets the answer rather than a reset, and closes.
     */
    private void refuse(FullHttpResponse answer) {
        if (receiving != null) {
            receiving.release();
            receiving = null;
        }
        if (inFlight) {
            answer.release();
            ctx.close(); // an answer cannot go in the middle of another one
            return;
        }
        discarded = 0;
        await(Http1Limits.BODY_IDLE_TIMEOUT_SECONDS, ctx::close);
        ctx.writeAndFlush(answer).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && !inputClosed && f.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                f.channel().close();
            }
        });
    }

    private void sendContinue() {
        continueOwed = false;
        bytes.context.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE)); // below the encoder: not a response to pair
    }

    private void awaitNextRequest() {
        await(Http1Limits.IDLE_TIMEOUT_SECONDS, ctx::close);
        if (upstream != null) {
            cancel(linkTimer);
            linkTimer = ctx.executor().schedule(this::dropLink, Http1Limits.LINK_IDLE_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void headStarted() {
        headStarted = true;
        await(Http1Limits.HEAD_TIMEOUT_SECONDS, () -> timedOut("no complete request head within "
                + Http1Limits.HEAD_TIMEOUT_SECONDS + " s of its first byte"));
    }

    private void bodyStalled() {
        timedOut("request body stalled: nothing arrived for " + Http1Limits.BODY_IDLE_TIMEOUT_SECONDS + " s");
    }

    private void timedOut(String why) {
        refuse(Http1Answers.error(HttpResponseStatus.REQUEST_TIMEOUT, Http1Answers.DEADLINE_EXCEEDED, why));
    }

    private void closeAfterFlush() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void await(int seconds, Runnable expired) {
        cancelTimer();
        timer = ctx.executor().schedule(expired, seconds, TimeUnit.SECONDS);
    }

    private void cancelTimer() {
        cancel(timer);
        timer = null;
    }

    private static void cancel(ScheduledFuture<?> scheduled) {
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }

    /**
     * What grpc's transport writes to this connection from the pipeline's tail: a command to close it, sent when
     * the server stops and when the HTTP/2 handshake did not finish in time, which an HTTP/1 connection never
     * finishes. The latter is ignored: it came 120 s after the connection opened, busy or not, and a keep-alive
     * client's next request then met a closed connection (etcd keeps them open); {@link Http1Limits} bound idle
     * connections instead. When the server stops, the connection closes now if idle, else once its exchange is done.
     */
    private final class GrpcCloseCommands extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.setSuccess();
            if (!stopping.getAsBoolean()) {
                return;
            }
            if (!inFlight && receiving == null && ready == null) {
                ctx.close();
            } else {
                closeWhenIdle = true;
            }
        }
    }

    /** Sees each read's raw bytes before the decoder: a head's first byte starts its timer; after a refusal bytes are dropped. */
    private final class ByteArrival extends ChannelInboundHandlerAdapter {
        private ChannelHandlerContext context;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            context = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (discarded >= 0) {
                if (msg instanceof ByteBuf b) {
                    discarded += b.readableBytes();
                }
                ReferenceCountUtil.release(msg);
                if (discarded > Http1Limits.MAX_DISCARD_BYTES) {
                    ctx.close();
                }
                return;
            }
            if (receiving == null && !headStarted) {
                headStarted();
            }
            ctx.fireChannelRead(msg);
        }
    }
}
