package org.ketcd.api;

import java.util.concurrent.CompletionStage;

/**
 * The etcd gRPC services as bytes, for a gateway that speaks another protocol (etcd's JSON gateway is
 * grpc-gateway: JSON -> protobuf -> the gRPC server -> protobuf -> JSON). Requests and responses are
 * serialized etcd protobuf messages, so bundles that embed their own protobuf and grpc copies meet at a
 * plain-Java boundary. Method names are gRPC's full names, e.g. {@code etcdserverpb.KV/Range}.
 * A failed call carries a {@link GatewayStatusException} with the gRPC code and message the gRPC
 * client would have seen.
 */
public interface GrpcGatewayBackend {

    /** A unary call. */
    default CompletionStage<byte[]> unary(String fullMethodName, byte[] request) {
        return unary(fullMethodName, request, null);
    }

    /**
     * A unary call as the caller whose auth token is {@code authorization} (the HTTP {@code Authorization}
     * header, passed on as etcd's gateway passes it: gRPC metadata {@code authorization}); null: none.
     */
    CompletionStage<byte[]> unary(String fullMethodName, byte[] request, String authorization);

    /**
     * A streaming call (client, server or bidirectional streaming): responses go to {@code responses}
     * in order; the returned sink sends requests. Nothing is buffered without bound: the sink's
     * {@link RequestSink#send} is the only producer and callers send one message per client request.
     */
    default RequestSink stream(String fullMethodName, ResponseListener responses) {
        return stream(fullMethodName, responses, null);
    }

    /** A streaming call as the caller whose auth token is {@code authorization} (see {@link #unary(String, byte[], String)}). */
    RequestSink stream(String fullMethodName, ResponseListener responses, String authorization);

    /** Receives one streaming call's responses, then exactly one {@link #onClose}. */
    interface ResponseListener {
        void onMessage(byte[] response);

        /** The call ended: {@code code} 0 (OK) or a gRPC status code with its message. */
        void onClose(int code, String message);
    }

    /** Sends a streaming call's requests. */
    interface RequestSink {
        void send(byte[] request);

        /** No more requests (gRPC half-close); responses may still arrive. */
        void halfClose();

        /** Ends the call now (the client went away). */
        void cancel();
    }
}
