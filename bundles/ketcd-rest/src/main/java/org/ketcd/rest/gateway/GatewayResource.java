package org.ketcd.rest.gateway;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import org.ketcd.api.GatewayStatusException;
import org.ketcd.api.GrpcGatewayBackend;
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

    public GatewayResource(GrpcGatewayBackend backend, RestLimits limits) {
        this.backend = backend;
        this.limits = limits;
    }

    @POST
    public Response call(@PathParam("route") String path, InputStream bodyStream) throws IOException, InterruptedException {
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
        return route.streaming() ? stream(route, requests) : unary(route, requests.get(0));
    }

    private Response unary(GatewayRoute route, byte[] request) throws InterruptedException {
        try {
            byte[] response = backend.unary(route.method(), request).toCompletableFuture().get();
            return json(200, GatewayJson.print(response, route.response()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GatewayStatusException s) {
                return error(s.code(), s.getMessage());
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A stream's end: the gRPC status it closed with. */
    private record Closed(int code, String message) {
    }

    private Response stream(GatewayRoute route, List<byte[]> requests) throws InterruptedException {
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(RestLimits.STREAM_BUFFER_MESSAGES);
        GrpcGatewayBackend.RequestSink sink = backend.stream(route.method(), new GrpcGatewayBackend.ResponseListener() {
            @Override
            public void onMessage(byte[] response) {
                put(queue, response);
            }

            @Override
            public void onClose(int code, String message) {
                put(queue, new Closed(code, message));
            }
        });
        requests.forEach(sink::send);
        sink.halfClose(); // as etcd's gateway at the end of the body; a watch stream stays open regardless
        Object first = queue.take();
        if (first instanceof Closed c && c.code() != 0) {
            return Response.status(GatewayErrors.httpStatus(c.code())).type(JSON)
                    .entity(GatewayErrors.streamChunk(c.code(), c.message()) + "\n").build();
        }
        StreamingOutput body = out -> {
            try {
                for (Object next = first; ; next = queue.take()) {
                    if (next instanceof Closed c) {
                        if (c.code() != 0) {
                            writeLine(out, GatewayErrors.streamChunk(c.code(), c.message()));
                        }
                        return;
                    }
                    writeLine(out, "{\"result\":" + GatewayJson.print((byte[]) next, route.response()) + "}");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                sink.cancel(); // the HTTP client went away, or the call ended: either way nothing more is sent
            }
        };
        return Response.ok(body, JSON).build();
    }

    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void put(BlockingQueue<Object> queue, Object item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Response error(int grpcCode, String message) {
        return json(GatewayErrors.httpStatus(grpcCode), GatewayErrors.body(grpcCode, message));
    }

    /** A whole JSON answer (sent chunked: the server buffers no response, see RestServer). */
    static Response json(int status, String body) {
        return Response.status(status).type(JSON).entity(body).build();
    }
}
