package org.ketcd.rest.gateway;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.ketcd.api.GrpcGatewayBackend;
import org.ketcd.rest.OpenStreams;
import org.ketcd.rest.RestLimits;

/**
 * One streaming gateway call (watch, lease keep-alive, election observe, snapshot), written as etcd's
 * grpc-gateway writes it: one {@code {"result":...}} line per response, an error line if the call fails. Takes
 * one of the server's {@link OpenStreams} slots for its life; ends when the call ends, when the HTTP client
 * left, or when the server stops. Responses wait in a bounded queue: a slow client holds the gRPC side back.
 */
final class GatewayStream implements StreamingOutput {
    /** A call's end: the gRPC status it closed with. */
    private record Closed(int code, String message) {
    }

    private final GatewayRoute route;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(RestLimits.STREAM_BUFFER_MESSAGES);
    private OpenStreams.Slot slot;
    private volatile GrpcGatewayBackend.RequestSink sink;
    private Object first;
    private volatile boolean stopped;

    private GatewayStream(GatewayRoute route) {
        this.route = route;
    }

    /**
     * Starts the call with {@code requests} and waits for its first response, so that a refused call is
     * answered with its HTTP status as etcd's gateway does; a member with every stream slot taken answers 429.
     */
    static Response start(GrpcGatewayBackend backend, OpenStreams streams, GatewayRoute route, List<byte[]> requests,
                          String authorization)
            throws InterruptedException {
        GatewayStream stream = new GatewayStream(route);
        stream.slot = streams.open(stream::stop);
        if (stream.slot == null) {
            return Response.fromResponse(GatewayResource.error(GatewayErrors.RESOURCE_EXHAUSTED, "too many open streams on"
                    + " this member (" + RestLimits.MAX_OPEN_STREAMS + "); retry later, or watch over gRPC"))
                    .header("Retry-After", 1).build();
        }
        stream.sink = backend.stream(route.method(), new GrpcGatewayBackend.ResponseListener() {
            @Override
            public void onMessage(byte[] response) {
                stream.put(response);
            }

            @Override
            public void onClose(int code, String message) {
                stream.put(new Closed(code, message));
            }
        }, authorization);
        if (stream.stopped) {
            stream.sink.cancel(); // the client left before the call began
        }
        requests.forEach(stream.sink::send);
        stream.sink.halfClose(); // as etcd's gateway at the end of the body; a watch stream stays open regardless
        stream.first = stream.queue.take();
        if (stream.first instanceof Closed c && c.code() != 0) {
            stream.end();
            return Response.status(GatewayErrors.httpStatus(c.code())).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(GatewayErrors.streamChunk(c.code(), c.message()) + "\n").build();
        }
        return Response.ok(stream, MediaType.APPLICATION_JSON_TYPE).build();
    }

    @Override
    public void write(OutputStream out) throws IOException {
        try {
            for (Object next = first; ; next = queue.take()) {
                if (next instanceof Closed c) {
                    if (c.code() != 0 && !stopped) {
                        writeLine(out, GatewayErrors.streamChunk(c.code(), c.message()));
                    }
                    return;
                }
                writeLine(out, "{\"result\":" + GatewayJson.print((byte[]) next, route.response()) + "}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientLeft) {
            // its client went away (a DEBUG line of ClientConnection): the call ends
        } finally {
            end();
        }
    }

    /** The client left or the server stops: the call is cancelled, and its close wakes the writer. */
    private void stop() {
        stopped = true;
        GrpcGatewayBackend.RequestSink s = sink;
        if (s != null) {
            s.cancel();
        }
    }

    /** Nothing more is sent or read: the call is cancelled, what it still delivers is dropped, the slot freed. */
    private void end() {
        sink.cancel();
        queue.clear(); // a producer waiting for room goes on, and finds it for its close
        slot.close();
    }

    private void put(Object item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
