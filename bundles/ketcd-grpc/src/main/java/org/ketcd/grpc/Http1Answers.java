package org.ketcd.grpc;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderValues;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The answers the client port gives itself, to requests it does not forward: in the REST API's error shape
 * ({@code {"error":m,"message":m,"code":<gRPC code>}}, which both the JSON gateway's and /config's clients read),
 * always closing the connection.
 */
final class Http1Answers {
    static final int INVALID_ARGUMENT = 3;
    static final int DEADLINE_EXCEEDED = 4;
    static final int RESOURCE_EXHAUSTED = 8;

    private Http1Answers() {
    }

    static FullHttpResponse error(HttpResponseStatus status, int grpcCode, String message) {
        String quoted = quote(message);
        String json = "{\"error\":" + quoted + ",\"message\":" + quoted + ",\"code\":" + grpcCode + "}";
        return close(status, "application/json", json);
    }

    /** The plain 404 a member without the REST bundle gives. */
    static FullHttpResponse noHttpApi() {
        return close(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", ClientPortNegotiator.NO_HTTP_API);
    }

    /** Go's 404, as etcd's metrics URLs give for every path but their own. */
    static FullHttpResponse pageNotFound() {
        return close(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "404 page not found\n");
    }

    private static FullHttpResponse close(HttpResponseStatus status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /** {@code s} as a JSON string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
