package org.ketcd.raft;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.ketcd.api.Member;

/**
 * Tells members of this cluster from anyone else who reaches the peer port, without a shared secret
 * (etcd leaves that to peer TLS; without TLS Ketcd still refuses outsiders). A caller claims a member id
 * and sends a nonce ({@link PeerWire#CHALLENGE}); this member sends a fresh random token with that nonce
 * to the peer URL the member list gives that id ({@link PeerWire#CREDENTIAL}), and keeps the token only if
 * the process listening there takes it, which only the member that sent the nonce does. The caller then
 * shows its id and the token on every call. So a credential goes only to the process at a member's own
 * peer address that asked for it, and a member removed from the list loses it.
 */
final class PeerAuthority {
    /** How long issuing a credential may take, the delivery to the member's peer URL included. */
    static final long CHALLENGE_TIMEOUT_MS = 3_000;
    /** Challenges answered at once; more get RESOURCE_EXHAUSTED (each costs a call to a member). */
    static final int MAX_CHALLENGES_IN_FLIGHT = 16;
    /** Random bytes in a token. */
    static final int TOKEN_BYTES = 32;
    /** Longest nonce accepted, in characters. */
    static final int MAX_NONCE_CHARS = 64;

    private final long self;
    private final Supplier<List<Member>> members;
    private final PeerChannels channels;
    private final Map<Long, byte[]> tokens = new ConcurrentHashMap<>();
    private final Semaphore inFlight = new Semaphore(MAX_CHALLENGES_IN_FLIGHT);
    private final SecureRandom random = new SecureRandom();

    PeerAuthority(long self, Supplier<List<Member>> members, PeerChannels channels) {
        this.self = self;
        this.members = members;
        this.channels = channels;
    }

    /** {@link PeerWire#CHALLENGE}: "member-id-hex nonce"; answered once the credential reached that member. */
    void challenge(byte[] request, StreamObserver<byte[]> response) {
        String[] parts = new String(request, StandardCharsets.UTF_8).split(" ");
        Long memberId = parts.length == 2 && parts[1].length() <= MAX_NONCE_CHARS ? memberId(parts[0]) : null;
        if (memberId == null) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("a challenge is \"member-id-hex nonce\"").asRuntimeException());
            return;
        }
        Member member = member(memberId);
        if (member == null) {
            response.onError(Status.PERMISSION_DENIED.withDescription("member " + parts[0] + " is not in this cluster").asRuntimeException());
            return;
        }
        if (!inFlight.tryAcquire()) {
            response.onError(Status.RESOURCE_EXHAUSTED.withDescription("too many challenges at once").asRuntimeException());
            return;
        }
        byte[] token = new byte[TOKEN_BYTES];
        random.nextBytes(token);
        byte[] credential = (Long.toHexString(self) + " " + parts[1] + " " + Base64.getEncoder().encodeToString(token))
                .getBytes(StandardCharsets.UTF_8);
        deliver(member.peerUrls(), 0, credential).whenComplete((delivered, error) -> {
            inFlight.release();
            if (error == null) {
                tokens.put(memberId, token);
                response.onNext(new byte[0]);
                response.onCompleted();
            } else {
                response.onError(Status.PERMISSION_DENIED.withDescription("member " + parts[0]
                        + " did not take a credential at its peer URL").asRuntimeException());
            }
        });
    }

    /** Sends the credential to the member's peer URLs in turn until one takes it. */
    private CompletableFuture<byte[]> deliver(List<String> peerUrls, int next, byte[] credential) {
        if (next >= peerUrls.size()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no peer URL took the credential"));
        }
        String address = PeerWire.hostPort(peerUrls.get(next));
        return PeerWire.call(channels.to(address), PeerWire.CREDENTIAL, credential, CHALLENGE_TIMEOUT_MS, null)
                .exceptionallyCompose(e -> deliver(peerUrls, next + 1, credential));
    }

    /** Whether a call's headers show the credential this member issued to a member still in the cluster. */
    boolean verify(Metadata headers) {
        String id = headers.get(PeerWire.MEMBER_HEADER);
        String token = headers.get(PeerWire.TOKEN_HEADER);
        Long memberId = id == null ? null : memberId(id);
        if (memberId == null || token == null) {
            return false;
        }
        byte[] issued = tokens.get(memberId);
        byte[] shown;
        try {
            shown = Base64.getDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return issued != null && MessageDigest.isEqual(issued, shown) && member(memberId) != null;
    }

    private Member member(long id) {
        for (Member m : members.get()) {
            if (m.id() == id) {
                return m;
            }
        }
        return null;
    }

    private static Long memberId(String hex) {
        try {
            return hex.length() <= 16 ? Long.parseUnsignedLong(hex, 16) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
