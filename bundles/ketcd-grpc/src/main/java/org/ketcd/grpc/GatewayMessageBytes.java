package org.ketcd.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Counts the bytes of the JSON gateway's calls into the endpoint's {@link GrpcCallCounter}, from the gateway's
 * side of the in-process channel: a request it sends is a message the server receives, a response it receives one
 * the server sent. The gateway's messages are their serialized bytes, so each one's length is the marshalled size
 * etcd counts (its gateway's calls pass its gRPC server's codec).
 */
final class GatewayMessageBytes implements ClientInterceptor {
    private final GrpcCallCounter counter;

    GatewayMessageBytes(GrpcCallCounter counter) {
        this.counter = counter;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> responses, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responses) {
                    @Override
                    public void onMessage(R response) {
                        counter.addSentBytes(((byte[]) response).length);
                        super.onMessage(response);
                    }
                }, headers);
            }

            @Override
            public void sendMessage(Q request) {
                counter.addReceivedBytes(((byte[]) request).length);
                super.sendMessage(request);
            }
        };
    }
}
