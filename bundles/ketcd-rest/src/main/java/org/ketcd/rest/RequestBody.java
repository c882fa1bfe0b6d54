package org.ketcd.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.ketcd.rest.gateway.GatewayErrors;

/**
 * Reads a request body up to {@link RestLimits#bodyBytes()}; a larger one is refused with 413 and kept
 * nowhere. The rest of it is drained (up to {@value #MAX_DRAIN_BYTES} bytes) before answering, since
 * closing a connection with unread bytes resets it and the client would never see the 413.
 */
public final class RequestBody {
    static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;

    private RequestBody() {
    }

    public static byte[] read(InputStream in, RestLimits limits) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[16 * 1024];
        long total = 0;
        for (int n; (n = in.read(chunk)) > 0; ) {
            total += n;
            if (total > limits.bodyBytes()) {
                drain(in, chunk);
                String message = "request body larger than " + limits.bodyBytes()
                        + " bytes (twice --max-request-bytes + 512 KiB)";
                throw new WebApplicationException(Response.status(413).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(GatewayErrors.body(GatewayErrors.RESOURCE_EXHAUSTED, message)).build());
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    private static void drain(InputStream in, byte[] chunk) throws IOException {
        long drained = 0;
        for (int n; drained < MAX_DRAIN_BYTES && (n = in.read(chunk)) > 0; ) {
            drained += n;
        }
    }
}
