package org.ketcd.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.ketcd.api.Http1Upstream;

/**
 * Serves only requests the member's client port forwarded: they carry this server's secret in
 * {@link Http1Upstream#RELAY_HEADER}. Anything else that reaches the loopback REST port (a local user
 * connecting to it directly) is answered 403, so the client port's TLS, client certificates and limits
 * cannot be bypassed.
 */
final class RelayCheck implements HttpHandler {
    static final String REFUSAL = "{\"error\":\"ketcd: this port serves the member's client port only; use the client URL\"}";

    private final String secret = HexFormat.of().formatHex(randomBytes());
    private final byte[] secretBytes = secret.getBytes(StandardCharsets.US_ASCII);
    private final HttpHandler next;

    RelayCheck(HttpHandler next) {
        this.next = next;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    String secret() {
        return secret;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String given = exchange.getRequestHeaders().getFirst(Http1Upstream.RELAY_HEADER);
        if (given != null && MessageDigest.isEqual(secretBytes, given.getBytes(StandardCharsets.US_ASCII))) {
            next.handle(exchange);
            return;
        }
        byte[] body = REFUSAL.getBytes(StandardCharsets.UTF_8);
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(403, body.length);
            out.write(body);
        }
    }
}
