package org.ketcd.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/**
 * etcd's client handler allows every origin: each answer carries the same three Access-Control headers,
 * and an OPTIONS request (a browser's preflight) is answered 200 with no body, whatever the path.
 */
@PreMatching
public final class CorsHeaders implements ContainerRequestFilter, ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        if ("OPTIONS".equals(request.getMethod())) {
            request.abortWith(Response.ok().build());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MultivaluedMap<String, Object> h = response.getHeaders();
        h.putSingle("Access-Control-Allow-Headers", "accept, content-type, authorization");
        h.putSingle("Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE");
        h.putSingle("Access-Control-Allow-Origin", "*");
    }
}
