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
 * gRPC server), with gRPC's flow control, cancellation and size limit. Responses are delivered on this
 * gateway's own threads (a cached pool, as grpc's default channel executor), never on the service's
 * handler threads, so a slow HTTP client cannot stall gRPC handlers.
 */
final class InProcessGateway implements GrpcGatewayBackend, AutoCloseable {
    private final Server server;
    private final ManagedChannel channel;
    private final ExecutorService callbacks;

    private InProcessGateway(Server server, ManagedChannel channel, ExecutorService callbacks) {
        this.server = server;
        this.channel = channel;
        this.callbacks = callbacks;
    }

    static InProcessGateway start(List<ServerServiceDefinition> services, ExecutorService handlers, int maxInboundBytes)
            throws IOException {
        String name = "ketcd-gateway-" + UUID.randomUUID();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).executor(handlers)
                .maxInboundMessageSize(maxInboundBytes);
        services.forEach(builder::addService);
        builder.intercept(new CallerToken());
        Server server = builder.build().start();
        ExecutorService callbacks = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ketcd-gateway-callback");
            t.setDaemon(true);
            return t;
        });
        ManagedChannel channel = InProcessChannelBuilder.forName(name).executor(callbacks)
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
        return new InProcessGateway(server, channel, callbacks);
    }

    @Override
    public CompletionStage<byte[]> unary(String fullMethodName, byte[] request, String authorization) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        ClientCall<byte[], byte[]> call = channel.newCall(method(fullMethodName, MethodDescriptor.MethodType.UNARY),
                CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            private byte[] response;

            @Override
            public void onMessage(byte[] message) {
                response = message;
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
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
        return result;
    }

    @Override
    public RequestSink stream(String fullMethodName, ResponseListener responses, String authorization) {
        ClientCall<byte[], byte[]> call = channel.newCall(method(fullMethodName, MethodDescriptor.MethodType.BIDI_STREAMING),
                CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                responses.onMessage(message);
                call.request(1); // the next response only once this one was handed on: backpressure
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                responses.onClose(status.getCode().value(), status.getDescription() == null ? "" : status.getDescription());
            }
        }, metadata(authorization));
        call.request(1);
        return new RequestSink() {
            // ClientCall is not thread-safe; a sink may be used from the HTTP thread and a canceller
            @Override
            public synchronized void send(byte[] request) {
                call.sendMessage(request);
            }

            @Override
            public synchronized void halfClose() {
                call.halfClose();
            }

            @Override
            public synchronized void cancel() {
                call.cancel("the HTTP client went away", null);
            }
        };
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
