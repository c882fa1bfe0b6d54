package org.ketcd.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;

/**
 * Sends an answer whose resource declared its length (a {@code Content-Length} header) with that length, as
 * etcd's gateway sends a whole JSON answer, instead of chunked. Jersey here buffers no response (streams
 * must reach the client line by line, see RestServer), so it asks the JDK server for a chunked body every
 * time; only the resource knows the length of a whole answer.
 */
final class DeclaredLength implements HttpHandler {
    private final HttpHandler next;

    DeclaredLength(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        next.handle(new Exchange(exchange));
    }

    /** The exchange, with {@link #sendResponseHeaders} taking a declared length over "chunked". */
    private static final class Exchange extends ForwardingExchange {
        Exchange(HttpExchange delegate) {
            super(delegate);
        }

        @Override
        public void sendResponseHeaders(int code, long length) throws IOException {
            String declared = delegate.getResponseHeaders().getFirst("Content-Length");
            if (declared != null) {
                // the JDK server writes the header itself from the length it is given
                delegate.getResponseHeaders().remove("Content-Length");
                if (length == 0) {
                    long bytes = Long.parseLong(declared);
                    length = bytes == 0 ? -1 : bytes;
                }
            }
            delegate.sendResponseHeaders(code, length);
        }
    }
}
