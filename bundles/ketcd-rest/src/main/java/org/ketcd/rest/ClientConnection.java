package org.ketcd.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client that goes away mid-answer (a closed SSE or watch stream, a reset) is normal and logged as one DEBUG line.
 * Its writes still fail, so that a stream ends at its next write; the flush and close that follow, which would only
 * fail again, do nothing: Jersey logged their failure as two SEVERE stack traces and a WARNING. The JDK server's
 * close of the exchange then drops the connection.
 */
final class ClientConnection implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private final HttpHandler next;

    ClientConnection(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        next.handle(new ForwardingExchange(exchange) {
            private OutputStream body;

            @Override
            public OutputStream getResponseBody() {
                if (body == null) {
                    body = new Body(delegate);
                }
                return body;
            }
        });
    }

    /** The response body: the first failure says the client left, once. */
    private static final class Body extends OutputStream {
        private final HttpExchange exchange;
        private final OutputStream out;
        private volatile boolean left;

        Body(HttpExchange exchange) {
            this.exchange = exchange;
            this.out = exchange.getResponseBody();
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw left(e);
            }
        }

        @Override
        public void flush() throws IOException {
            if (left) {
                return; // Jersey flushes before it closes: that too would only fail again
            }
            try {
                out.flush();
            } catch (IOException e) {
                throw left(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                left(e);
            }
        }

        private IOException left(IOException e) {
            if (!left) {
                left = true;
                LOG.debug("{} {}: the client left ({})", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        e.getMessage());
            }
            return e;
        }
    }
}
