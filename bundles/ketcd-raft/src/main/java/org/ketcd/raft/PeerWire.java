package org.ketcd.raft;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;

/**
 * The names on the wire of Ketcd's own calls between members, served on the peer port beside Ratis'
 * Raft service: messages are plain bytes, and a caller shows its credential in two headers.
 */
final class PeerWire {
    private PeerWire() {
    }

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    /** Ketcd's service of credentials and forwarded requests. */
    static final String PEER_SERVICE = "ketcd.Peer";
    /** Who a member is, and its snapshots (PeerService). */
    static final String IDENTITY_SERVICE = "ketcd.PeerIdentity";
    /** Ratis' Raft protocol between members: append, vote, read index, snapshot notification. */
    static final String RAFT_SERVICE = "ratis.grpc.RaftServerProtocolService";

    /** "member-id-hex nonce": asks for a credential, which is sent to that member's own peer URL. */
    static final MethodDescriptor<byte[], byte[]> CHALLENGE = unary(PEER_SERVICE, "Challenge");
    /** "issuer-id-hex nonce token": a credential, delivered to the member that asked for it. */
    static final MethodDescriptor<byte[], byte[]> CREDENTIAL = unary(PEER_SERVICE, "Credential");
    /** A Ratis client request (a write or a leader query) another member forwards to the leader. */
    static final MethodDescriptor<byte[], byte[]> SUBMIT = unary(PEER_SERVICE, "Submit");
    /** A Raft configuration change or leadership transfer another member forwards to the leader. */
    static final MethodDescriptor<byte[], byte[]> ADMIN = unary(PEER_SERVICE, "Admin");
    /** Members only: a question about the answering member's own state ({@link PeerQueries}). */
    static final MethodDescriptor<byte[], byte[]> QUERY = unary(PEER_SERVICE, "Query");

    static final Metadata.Key<String> MEMBER_HEADER = Metadata.Key.of("ketcd-member", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TOKEN_HEADER = Metadata.Key.of("ketcd-token", Metadata.ASCII_STRING_MARSHALLER);

    static MethodDescriptor<byte[], byte[]> unary(String service, String method) {
        return method(service, method, MethodDescriptor.MethodType.UNARY);
    }

    static MethodDescriptor<byte[], byte[]> method(String service, String method, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    /** A unary call; the answer completes with the response or the call's failure (a StatusRuntimeException). */
    static java.util.concurrent.CompletableFuture<byte[]> call(org.apache.ratis.thirdparty.io.grpc.Channel channel,
            MethodDescriptor<byte[], byte[]> method, byte[] request, long timeoutMs, Metadata headers) {
        java.util.concurrent.CompletableFuture<byte[]> result = new java.util.concurrent.CompletableFuture<>();
        org.apache.ratis.thirdparty.io.grpc.Channel target = headers == null ? channel
                : org.apache.ratis.thirdparty.io.grpc.ClientInterceptors.intercept(channel,
                        org.apache.ratis.thirdparty.io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
        org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls.asyncUnaryCall(target.newCall(method,
                        org.apache.ratis.thirdparty.io.grpc.CallOptions.DEFAULT.withDeadlineAfter(timeoutMs,
                                java.util.concurrent.TimeUnit.MILLISECONDS)), request,
                new org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver<>() {
                    private byte[] answer;

                    @Override
                    public void onNext(byte[] value) {
                        answer = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        result.complete(answer);
                    }
                });
        return result;
    }

    /** The gRPC status code a call failed with, or null when it failed otherwise. */
    static org.apache.ratis.thirdparty.io.grpc.Status.Code statusOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException s) {
                return s.getStatus().getCode();
            }
        }
        return null;
    }

    /** The host:port of a peer URL ({@code http://host:port}), as Raft addresses are written. */
    static String hostPort(String peerUrl) {
        java.net.URI url = java.net.URI.create(peerUrl);
        return url.getHost() + ":" + url.getPort();
    }
}
