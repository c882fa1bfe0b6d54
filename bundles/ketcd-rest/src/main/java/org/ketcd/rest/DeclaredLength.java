package org.ketcd.rest;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

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
    private static final class Exchange extends HttpExchange {
        private final HttpExchange delegate;

        Exchange(HttpExchange delegate) {
            this.delegate = delegate;
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

        @Override
        public Headers getRequestHeaders() {
            return delegate.getRequestHeaders();
        }

        @Override
        public Headers getResponseHeaders() {
            return delegate.getResponseHeaders();
        }

        @Override
        public URI getRequestURI() {
            return delegate.getRequestURI();
        }

        @Override
        public String getRequestMethod() {
            return delegate.getRequestMethod();
        }

        @Override
        public HttpContext getHttpContext() {
            return delegate.getHttpContext();
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public InputStream getRequestBody() {
            return delegate.getRequestBody();
        }

        @Override
        public OutputStream getResponseBody() {
            return delegate.getResponseBody();
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return delegate.getRemoteAddress();
        }

        @Override
        public int getResponseCode() {
            return delegate.getResponseCode();
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return delegate.getLocalAddress();
        }

        @Override
        public String getProtocol() {
            return delegate.getProtocol();
        }

        @Override
        public Object getAttribute(String name) {
            return delegate.getAttribute(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            delegate.setAttribute(name, value);
        }

        @Override
        public void setStreams(InputStream i, OutputStream o) {
            delegate.setStreams(i, o);
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return delegate.getPrincipal();
        }
    }
}
