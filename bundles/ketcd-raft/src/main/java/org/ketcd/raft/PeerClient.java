package org.ketcd.raft;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ClientInterceptors;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.MetadataUtils;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;

/**
 * This member's calls to other members' peer ports, each showing the credential that member issued to
 * it ({@link PeerAuthority}): obtained on the first call to an address, asked again when the other
 * member no longer knows it (it restarted).
 */
final class PeerClient implements AutoCloseable {
    /** Nonce bytes of a challenge. */
    static final int NONCE_BYTES = 24;

    private final String self;
    private final PeerChannels channels;
    private final SecureRandom random = new SecureRandom();
    /** Credentials by the address of the member that issued them (a pending one while it is being issued). */
    private final Map<String, CompletableFuture<String>> credentials = new ConcurrentHashMap<>();
    /** Challenges this member sent whose credential has not arrived yet, by nonce. */
    private final Map<String, CompletableFuture<String>> awaited = new ConcurrentHashMap<>();

    PeerClient(long self, PeerTransport transport) {
        this.self = Long.toHexString(self);
        this.channels = new PeerChannels(transport);
    }

    PeerChannels channels() {
        return channels;
    }

    /** {@link PeerWire#CREDENTIAL}: "issuer-id-hex nonce token", taken only for a challenge this member sent. */
    void credential(byte[] request, StreamObserver<byte[]> response) {
        String[] parts = new String(request, StandardCharsets.UTF_8).split(" ");
        CompletableFuture<String> waiting = parts.length == 3 ? awaited.remove(parts[1]) : null;
        if (waiting == null) {
            response.onError(Status.PERMISSION_DENIED.withDescription("no such challenge").asRuntimeException());
            return;
        }
        waiting.complete(parts[2]);
        response.onNext(new byte[0]);
        response.onCompleted();
    }

    /** A unary call to the member at {@code address}, with this member's credential there. */
    CompletableFuture<byte[]> call(String address, MethodDescriptor<byte[], byte[]> method, byte[] request, long timeoutMs) {
        return callOnce(address, method, request, timeoutMs).exceptionallyCompose(error -> {
            Status.Code code = PeerWire.statusOf(error);
            if (code == Status.Code.UNAUTHENTICATED) {
                credentials.remove(address); // the other member forgot it (it restarted): ask again, once
                return callOnce(address, method, request, timeoutMs);
            }
            if (code == Status.Code.UNAVAILABLE) {
                channels.drop(address);
            }
            return CompletableFuture.failedFuture(error);
        });
    }

    private CompletableFuture<byte[]> callOnce(String address, MethodDescriptor<byte[], byte[]> method, byte[] request, long timeoutMs) {
        return credential(address).thenCompose(token -> PeerWire.call(channels.to(address), method, request, timeoutMs, headers(token)));
    }

    /** A server-streaming call to the member at {@code address}, with this member's credential there. */
    Iterator<byte[]> stream(String address, MethodDescriptor<byte[], byte[]> method, byte[] request, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        String token = credential(address).get(PeerAuthority.CHALLENGE_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
        return ClientCalls.blockingServerStreamingCall(
                ClientInterceptors.intercept(channels.to(address), MetadataUtils.newAttachHeadersInterceptor(headers(token))),
                method, CallOptions.DEFAULT.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS), request);
    }

    /** Forgets the credential for {@code address}, so that the next call asks for a new one. */
    void forget(String address) {
        credentials.remove(address);
    }

    private Metadata headers(String token) {
        Metadata headers = new Metadata();
        headers.put(PeerWire.MEMBER_HEADER, self);
        headers.put(PeerWire.TOKEN_HEADER, token);
        return headers;
    }

    private CompletableFuture<String> credential(String address) {
        CompletableFuture<String> credential = credentials.computeIfAbsent(address, this::challenge);
        credential.whenComplete((token, error) -> {
            if (error != null) {
                credentials.remove(address, credential); // not kept: the next call asks again
            }
        });
        return credential;
    }

    private CompletableFuture<String> challenge(String address) {
        byte[] bytes = new byte[NONCE_BYTES];
        random.nextBytes(bytes);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        CompletableFuture<String> delivered = new CompletableFuture<>();
        awaited.put(nonce, delivered);
        // The other member answers the challenge only after it delivered the credential to our peer port.
        return PeerWire.call(channels.to(address), PeerWire.CHALLENGE, (self + " " + nonce).getBytes(StandardCharsets.UTF_8),
                        PeerAuthority.CHALLENGE_TIMEOUT_MS * 2, null)
                .thenCompose(answered -> delivered.isDone() ? delivered
                        : CompletableFuture.failedFuture(new IllegalStateException("the credential from " + address + " did not arrive")))
                .whenComplete((token, error) -> {
                    awaited.remove(nonce);
                    if (PeerWire.statusOf(error) == Status.Code.UNAVAILABLE) {
                        channels.drop(address);
                    }
                });
    }

    @Override
    public void close() {
        channels.close();
    }
}
