package org.ketcd.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.rest.gateway.GatewayErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No stack trace ever reaches a client: JAX-RS errors keep their status with a one-line message, a
 * server refusal ({@link EtcdException}) is answered with its etcd message ({@link JsonErrors}), bad
 * input ({@link IllegalArgumentException}) with 400, and any other fault is logged here and answered
 * 500 with etcd's error body and message ("etcdserver: internal error").
 */
@Provider
public final class PlainErrors implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(PlainErrors.class);

    @Override
    public Response toResponse(Throwable error) {
        if (error instanceof WebApplicationException w) {
            Response r = w.getResponse();
            if (r.hasEntity()) {
                return r;
            }
            String reason = r.getStatusInfo().getReasonPhrase();
            return Response.status(r.getStatus()).type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8"))
                    .entity(reason + "\n").build();
        }
        if (error instanceof EtcdException e) {
            return JsonErrors.of(JsonErrors.httpStatus(e.error()), e.getMessage());
        }
        if (error instanceof IllegalArgumentException bad) {
            return JsonErrors.of(400, bad.getMessage());
        }
        LOG.error("REST request failed unexpectedly", error);
        return Response.status(500).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(GatewayErrors.body(13, EtcdError.INTERNAL.message())).build();
    }
}
