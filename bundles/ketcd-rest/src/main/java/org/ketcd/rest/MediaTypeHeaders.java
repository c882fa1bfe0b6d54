package org.ketcd.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.text.ParseException;
import org.glassfish.jersey.message.internal.HttpHeaderReader;

/**
 * Content-Type and Accept headers Jersey cannot parse: it answered them 400 with an empty body. No route
 * negotiates by Accept, so an unreadable one is dropped (etcd ignores it). An unreadable Content-Type is dropped
 * on the JSON gateway (etcd's ignores it too) and refused with a message elsewhere, where it is stored with the value.
 */
@PreMatching
public final class MediaTypeHeaders implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        if (accept != null && !isAcceptList(accept)) {
            request.getHeaders().remove(HttpHeaders.ACCEPT);
        }
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (type != null && !isMediaType(type)) {
            if (request.getUriInfo().getPath().matches("v3(beta|alpha)?/.*")) {
                request.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
            } else {
                request.abortWith(JsonErrors.of(400, "Content-Type '" + type + "' is not a media type (type/subtype; parameters)"));
            }
        }
    }

    private static boolean isMediaType(String value) {
        try {
            MediaType.valueOf(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isAcceptList(String value) {
        try {
            HttpHeaderReader.readAcceptMediaType(value);
            return true;
        } catch (ParseException | IllegalArgumentException e) {
            return false;
        }
    }
}
