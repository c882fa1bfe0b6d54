package org.ketcd.grpc;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.GatewayStatusException;
import org.ketcd.api.GrpcGatewayBackend;

/**
 * The gRPC services of one endpoint, reachable as bytes through grpc's in-process transport: the JSON
 * gateway calls exactly the service code gRPC clients reach (etcd's gateway likewise dials its own
 * gRPC server), with gRPC's flow control, cancellation and size limit. Stream responses are delivered on this
 * gateway's own threads (a cached pool, as grpc's default channel executor), never on the service's
 * handler threads, so a slow HTTP client cannot stall gRPC handlers; a unary answer only completes a future.
 * Like etcd's gateway connection, it has at most
 * {@code --max-concurrent-streams} calls open ({@link GatewayCallSlots}).
 */
final class InProcessGateway implements GrpcGatewayBackend, AutoCloseable {
    private final Server server;
    private final ManagedChannel channel;
    private final ExecutorService callbacks;
    private final GatewayCallSlots slots;

    private InProcessGateway(Server server, ManagedChannel channel, ExecutorService callbacks, GatewayCallSlots slots) {
        this.server = server;
        this.channel = channel;
        this.callbacks = callbacks;
        this.slots = slots;
    }

    /**
     * {@code maxConcurrentCalls}: {@code --max-concurrent-streams}, see {@link GatewayCallSlots}. The gateway's calls
     * are counted in {@code calls} as the network's are, as etcd counts its gateway's calls to its gRPC server.
     */
    static InProcessGateway start(List<ServerServiceDefinition> services, ExecutorService handlers, int maxInboundBytes,
                                  long maxConcurrentCalls, GrpcCallCounter calls) throws IOException {
        String name = "ketcd-gateway-" + UUID.randomUUID();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).executor(handlers)
                .maxInboundMessageSize(maxInboundBytes).addStreamTracerFactory(calls.gatewayTracers());
        services.forEach(builder::addService);
        builder.intercept(new CallerToken());
        Server server = builder.build().start();
        ExecutorService callbacks = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ketcd-gateway-callback");
            t.setDaemon(true);
            return t;
        });
        ManagedChannel channel = InProcessChannelBuilder.forName(name).executor(callbacks)
                .maxInboundMessageSize(Integer.MAX_VALUE).intercept(new GatewayMessageBytes(calls)).build();
        return new InProcessGateway(server, channel, callbacks, new GatewayCallSlots(maxConcurrentCalls));
    }

    @Override
    public CompletionStage<byte[]> unary(String fullMethodName, byte[] request, String authorization) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Runnable start = () -> {
            // A unary answer only completes a future (the REST thread waiting on it writes the HTTP response), so it is
            // delivered on the thread that answers, without a hand-off to this gateway's callback threads.
            ClientCall<byte[], byte[]> call = channel.newCall(method(fullMethodName, MethodDescriptor.MethodType.UNARY),
                    CallOptions.DEFAULT.withExecutor(Runnable::run));
            call.start(new ClientCall.Listener<>() {
                private byte[] response;

                @Override
                public void onMessage(byte[] message) {
                    response = message;
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    slots.release();
                    if (status.isOk() && response != null) {
                        result.complete(response);
                    } else {
                        result.completeExceptionally(failure(status));
                    }
                }
            }, metadata(authorization));
            call.request(2);
            call.sendMessage(request);
            call.halfClose();
        };
        slots.start(start);
        // cancelled by the caller: a call still waiting for a slot is never made
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                slots.withdraw(start);
            }
        });
        return result;
    }

    @Override
    public RequestSink stream(String fullMethodName, ResponseListener responses, String authorization) {
        StreamCall stream = new StreamCall(fullMethodName, responses, authorization);
        slots.start(stream);
        return stream;
    }

    /**
     * One streaming call, started when it gets a slot; requests sent before that wait here (a gateway stream sends
     * the few its HTTP body holds), and a cancel before that withdraws it and ends it as cancelled.
     */
    private final class StreamCall implements RequestSink, Runnable {
        private static final String GONE = "the HTTP client went away";
        private final String fullMethodName;
        private final ResponseListener responses;
        private final String authorization;
        private final List<byte[]> early = new ArrayList<>();
        private ClientCall<byte[], byte[]> call;
        private boolean halfClosed;
        private boolean cancelled;

        StreamCall(String fullMethodName, ResponseListener responses, String authorization) {
            this.fullMethodName = fullMethodName;
            this.responses = responses;
            this.authorization = authorization;
        }

        /** The call gets its slot. */
        @Override
        public synchronized void run() {
            if (cancelled) { // cancelled while the slot was being handed over
                slots.release();
                responses.onClose(Status.Code.CANCELLED.value(), GONE);
                return;
            }
            ClientCall<byte[], byte[]> started = channel.newCall(
                    method(fullMethodName, MethodDescriptor.MethodType.BIDI_STREAMING), CallOptions.DEFAULT);
            started.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(byte[] message) {
                    responses.onMessage(message);
                    started.request(1); // the next response only once this one was handed on: backpressure
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    slots.release();
                    responses.onClose(status.getCode().value(), status.getDescription() == null ? "" : status.getDescription());
                }
            }, metadata(authorization));
            started.request(1);
            early.forEach(started::sendMessage);
            early.clear();
            if (halfClosed) {
                started.halfClose();
            }
            call = started;
        }

        // ClientCall is not thread-safe; a sink may be used from the HTTP thread and a canceller
        @Override
        public synchronized void send(byte[] request) {
            if (call != null) {
                call.sendMessage(request);
            } else if (!cancelled) {
                early.add(request);
            }
        }

        @Override
        public synchronized void halfClose() {
            if (call != null) {
                call.halfClose();
            } else {
                halfClosed = true;
            }
        }

        @Override
        public void cancel() {
            boolean withdrawn;
            synchronized (this) {
                if (call != null) {
                    call.cancel(GONE, null);
                    return;
                }
                if (cancelled) {
                    return;
                }
                cancelled = true;
                early.clear();
                withdrawn = slots.withdraw(this);
            }
            if (withdrawn) {
                responses.onClose(Status.Code.CANCELLED.value(), GONE);
            }
        }
    }

    private static Metadata metadata(String authorization) {
        Metadata headers = new Metadata();
        if (authorization != null) {
            headers.put(CallerToken.AUTHORIZATION_HEADER, authorization);
        }
        return headers;
    }

    static GatewayStatusException failure(Status status) {
        String message = status.getDescription();
        if (message == null) {
            message = status.isOk() ? "no response" : status.getCode().name();
        }
        return new GatewayStatusException(status.isOk() ? Status.Code.INTERNAL.value() : status.getCode().value(), message);
    }

    private static MethodDescriptor<byte[], byte[]> method(String fullMethodName, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName(fullMethodName)
                .setRequestMarshaller(ByteArrayMarshaller.INSTANCE).setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
                .build();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow();
        channel.awaitTermination(GrpcEndpoint.SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
        server.awaitTermination(GrpcEndpoint.SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
        callbacks.shutdownNow();
    }
}
