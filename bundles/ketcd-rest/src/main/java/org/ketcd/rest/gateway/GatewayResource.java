package org.ketcd.rest.gateway;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.ketcd.api.GatewayStatusException;
import org.ketcd.api.GrpcGatewayBackend;
import org.ketcd.rest.OpenStreams;
import org.ketcd.rest.RequestBody;
import org.ketcd.rest.RestLimits;

/**
 * etcd's JSON gateway: {@code POST /v3/<route>} (and {@code /v3beta/}, {@code /v3alpha/}) turns the JSON
 * body into the route's protobuf request, calls the gRPC method through {@link GrpcGatewayBackend} and
 * prints the response, exactly the path etcd's grpc-gateway takes. Unknown routes are 404
 * {@code Not Found} as etcd's mux answers; other methods than POST 405.
 */
@Path("/{version: v3|v3beta|v3alpha}/{route: .+}")
public final class GatewayResource {
    private static final MediaType JSON = MediaType.APPLICATION_JSON_TYPE;
    private final GrpcGatewayBackend backend;
    private final RestLimits limits;
    private final OpenStreams streams;

    public GatewayResource(GrpcGatewayBackend backend, RestLimits limits, OpenStreams streams) {
        this.backend = backend;
        this.limits = limits;
        this.streams = streams;
    }

    @POST
    public Response call(@PathParam("route") String path, @jakarta.ws.rs.HeaderParam("Authorization") String authorization,
                         InputStream bodyStream) throws IOException, InterruptedException {
        GatewayRoute route = GatewayRoutes.find(path);
        if (route == null) {
            return Response.status(404).type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8")).entity("Not Found\n").build();
        }
        List<byte[]> requests;
        try {
            requests = GatewayJson.requests(new String(RequestBody.read(bodyStream, limits), StandardCharsets.UTF_8),
                    route.request());
        } catch (GatewayJson.BadRequest e) {
            return error(GatewayErrors.INVALID_ARGUMENT, e.getMessage());
        }
        for (byte[] request : requests) {
            if (request.length > limits.grpcMessageBytes()) {
                // etcd's gateway hears this from its own gRPC client
                return error(GatewayErrors.RESOURCE_EXHAUSTED, "grpc: received message larger than max ("
                        + request.length + " vs. " + limits.grpcMessageBytes() + ")");
            }
        }
        return route.streaming() ? GatewayStream.start(backend, streams, route, requests, authorization)
                : unary(route, requests.get(0), authorization);
    }

    private Response unary(GatewayRoute route, byte[] request, String authorization) throws InterruptedException {
        CompletableFuture<byte[]> call = backend.unary(route.method(), request, authorization).toCompletableFuture();
        // a call still waiting for a gRPC stream slot when its client leaves is never made, as in etcd's gateway
        try (OpenStreams.Slot watch = streams.onClientLeft(() -> call.cancel(false))) {
            byte[] response = call.get();
            // etcd's gateway passes on the gRPC response's content type as a header
            return Response.fromResponse(json(200, GatewayJson.print(response, route.response())))
                    .header("Grpc-Metadata-Content-Type", "application/grpc").build();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GatewayStatusException s) {
                return error(s.code(), s.getMessage());
            }
            throw new IllegalStateException(e.getCause());
        } catch (CancellationException e) {
            return error(GatewayErrors.CANCELLED, "context canceled"); // nobody reads it: the client left
        }
    }

    static Response error(int grpcCode, String message) {
        return json(GatewayErrors.httpStatus(grpcCode), GatewayErrors.body(grpcCode, message));
    }

    /** A whole JSON answer, with its length (see DeclaredLength). */
    static Response json(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Response.status(status).type(JSON).header(HttpHeaders.CONTENT_LENGTH, bytes.length).entity(bytes).build();
    }
}
