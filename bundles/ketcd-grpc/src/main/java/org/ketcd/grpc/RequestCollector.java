package org.ketcd.grpc;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.CompositeByteBuf;
import io.grpc.netty.shaded.io.netty.handler.codec.TooLongFrameException;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.EmptyHttpHeaders;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderValues;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.util.concurrent.Semaphore;

/**
 * One HTTP/1 request as the client port reads it: the decoded head, then the body gathered up to the REST
 * server's limit, so that the request reaches the server whole and no server thread waits on the client.
 * A body past {@link Http1Limits#SMALL_BODY_BYTES} needs one of the endpoint's large-body permits, held until
 * the request was forwarded (or dropped).
 */
final class RequestCollector {
    /** A request refused before it was forwarded, with its answer. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final transient FullHttpResponse answer;

        Refusal(FullHttpResponse answer) {
            super(answer.status().toString(), null, false, false);
            this.answer = answer;
        }
    }

    private final HttpRequest head;
    private final CompositeByteBuf body;
    private final int maxBodyBytes;
    private final Semaphore largeBodies;
    private final boolean expectsContinue;
    private boolean holdsPermit;
    private FullHttpRequest whole;

    private RequestCollector(HttpRequest head, CompositeByteBuf body, int maxBodyBytes, Semaphore largeBodies,
                             boolean expectsContinue) {
        this.head = head;
        this.body = body;
        this.maxBodyBytes = maxBodyBytes;
        this.largeBodies = largeBodies;
        this.expectsContinue = expectsContinue;
    }

    /** A request from its decoded head; refused for a head that did not decode or a declared length over the limit. */
    static RequestCollector start(HttpRequest head, ByteBufAllocator alloc, int maxBodyBytes, Semaphore largeBodies)
            throws Refusal {
        if (head.decoderResult().isFailure()) {
            throw new Refusal(badHead(head.decoderResult().cause()));
        }
        long declared = HttpUtil.getContentLength(head, -1L);
        if (declared > maxBodyBytes) {
            throw new Refusal(tooLarge(maxBodyBytes));
        }
        String expect = head.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !expect.equalsIgnoreCase(HttpHeaderValues.CONTINUE.toString())) {
            throw new Refusal(Http1Answers.error(HttpResponseStatus.EXPECTATION_FAILED, Http1Answers.INVALID_ARGUMENT,
                    "Expect: only 100-continue is understood, not " + expect));
        }
        head.headers().remove(HttpHeaderNames.EXPECT); // answered here: the server sees the body already there
        head.setUri(asciiOnly(head.uri()));
        return new RequestCollector(head, alloc.compositeBuffer(Integer.MAX_VALUE), maxBodyBytes, largeBodies, expect != null);
    }

    /** Whether the client waits for "100 Continue" before it sends the body. */
    boolean expectsContinue() {
        return expectsContinue;
    }

    /** Adds a piece of the body (taking it over); refused past the limit or when no large body may be held now. */
    void add(HttpContent content) throws Refusal {
        if (content.decoderResult().isFailure()) {
            content.release();
            throw new Refusal(badHead(content.decoderResult().cause()));
        }
        body.addComponent(true, content.content());
        if (body.readableBytes() > maxBodyBytes) {
            throw new Refusal(tooLarge(maxBodyBytes));
        }
        if (body.readableBytes() > Http1Limits.SMALL_BODY_BYTES && !holdsPermit) {
            if (!largeBodies.tryAcquire()) {
                throw new Refusal(Http1Answers.error(HttpResponseStatus.SERVICE_UNAVAILABLE, Http1Answers.RESOURCE_EXHAUSTED,
                        "too many large request bodies in transit on this member (" + Http1Limits.LARGE_BODIES
                                + " over " + Http1Limits.SMALL_BODY_BYTES / 1024 + " KiB); retry"));
            }
            holdsPermit = true;
        }
    }

    /** The answer to a request whose client stopped sending before its body was whole. */
    FullHttpResponse truncated() {
        long declared = HttpUtil.getContentLength(head, -1L);
        String what = declared < 0 ? "before its last chunk" : "after " + body.readableBytes() + " of " + declared + " bytes";
        return Http1Answers.error(HttpResponseStatus.BAD_REQUEST, Http1Answers.INVALID_ARGUMENT, "the request body ended " + what);
    }

    /** Ends the body: the whole request is ready, with a Content-Length in place of chunks. */
    void finish() {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), body,
                head.headers(), EmptyHttpHeaders.INSTANCE);
        HttpUtil.setTransferEncodingChunked(r, false);
        HttpUtil.setContentLength(r, body.readableBytes());
        whole = r;
    }

    /** The whole request for forwarding; the caller owns it from now. */
    FullHttpRequest take() {
        FullHttpRequest r = whole;
        whole = null;
        return r;
    }

    /** The large-body permit goes back (the request was forwarded or dropped). */
    void releasePermit() {
        if (holdsPermit) {
            holdsPermit = false;
            largeBodies.release();
        }
    }

    /** Drops what was gathered and the permit (the connection ends mid-request). */
    void release() {
        if (whole != null) {
            whole.release();
            whole = null;
        } else if (body.refCnt() > 0) {
            body.release();
        }
        releasePermit();
    }

    private static FullHttpResponse tooLarge(int maxBodyBytes) {
        return Http1Answers.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Http1Answers.RESOURCE_EXHAUSTED,
                "request body larger than " + maxBodyBytes + " bytes, the most the REST API reads");
    }

    /**
     * The request target with every byte outside printable ASCII percent-encoded. The decoder reads each byte
     * of the line as one char and the encoder would write chars as UTF-8, turning a raw byte 0xFF into two;
     * encoded, the REST server decodes the very bytes the client sent (raw UTF-8 paths included).
     */
    static String asciiOnly(String uri) {
        StringBuilder b = null;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            boolean plain = c > 0x20 && c < 0x7f;
            if (!plain && b == null) {
                b = new StringBuilder(uri.length() + 16).append(uri, 0, i);
            }
            if (b != null) {
                if (plain) {
                    b.append(c);
                } else {
                    b.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xF, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
                }
            }
        }
        return b == null ? uri : b.toString();
    }

    static FullHttpResponse badHead(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return Http1Answers.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, Http1Answers.INVALID_ARGUMENT,
                    "request header fields larger than " + Http1Limits.MAX_HEADER_BYTES / 1024 + " KiB");
        }
        if (cause instanceof TooLongFrameException) { // the request line
            return Http1Answers.error(HttpResponseStatus.REQUEST_URI_TOO_LONG, Http1Answers.INVALID_ARGUMENT,
                    "request line longer than " + Http1Limits.MAX_REQUEST_LINE_BYTES / 1024 + " KiB");
        }
        String message = cause == null || cause.getMessage() == null ? "unreadable request" : cause.getMessage();
        return Http1Answers.error(HttpResponseStatus.BAD_REQUEST, Http1Answers.INVALID_ARGUMENT, "malformed HTTP/1.1 request: "
                + message.replaceAll("\\s+", " "));
    }
}
