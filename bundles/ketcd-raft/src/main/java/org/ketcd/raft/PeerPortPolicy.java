package org.ketcd.raft;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;

/**
 * What the peer port serves, and to whom. Open: Ratis' Raft protocol between members, who a member is
 * ({@code ketcd.PeerIdentity/Get}, as etcd's peer port serves /members), and the two halves of obtaining a
 * credential. Members only ({@link PeerAuthority}): forwarded writes, queries and configuration changes,
 * and snapshots. Never, to anyone: Ratis' client and admin services (a member submits to its own Ratis
 * in-process and forwards to the leader through Ketcd's calls), and anything else.
 */
final class PeerPortPolicy implements ServerInterceptor {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerPortPolicy.class);
    /** At most one log line about refused calls per this many ms, so that a prober cannot flood the log. */
    static final long REFUSAL_LOG_INTERVAL_MS = 10_000;

    enum Access { OPEN, MEMBERS, NEVER }

    private final PeerAuthority authority;
    private final AtomicLong lastLogged = new AtomicLong();
    private final AtomicLong refusedSinceLog = new AtomicLong();

    PeerPortPolicy(PeerAuthority authority) {
        this.authority = authority;
    }

    static Access access(String fullMethodName) {
        if (fullMethodName.startsWith(PeerWire.RAFT_SERVICE + "/")
                || fullMethodName.equals(PeerWire.IDENTITY_SERVICE + "/Get")
                || fullMethodName.equals(PeerWire.CHALLENGE.getFullMethodName())
                || fullMethodName.equals(PeerWire.CREDENTIAL.getFullMethodName())) {
            return Access.OPEN;
        }
        if (fullMethodName.equals(PeerWire.SUBMIT.getFullMethodName()) || fullMethodName.equals(PeerWire.ADMIN.getFullMethodName())
                || fullMethodName.equals(PeerWire.QUERY.getFullMethodName())
                || fullMethodName.equals(PeerWire.IDENTITY_SERVICE + "/Snapshot")) {
            return Access.MEMBERS;
        }
        return Access.NEVER;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        return switch (access(method)) {
            case OPEN -> next.startCall(call, headers);
            case MEMBERS -> authority.verify(headers) ? next.startCall(call, headers)
                    : refuse(call, Status.UNAUTHENTICATED.withDescription(method + " needs a member's credential"));
            case NEVER -> refuse(call, Status.PERMISSION_DENIED.withDescription(method + " is not served on a Ketcd peer port"));
        };
    }

    private <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, Status status) {
        long refused = refusedSinceLog.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = lastLogged.get();
        if (now - last >= REFUSAL_LOG_INTERVAL_MS && lastLogged.compareAndSet(last, now)) {
            refusedSinceLog.addAndGet(-refused);
            LOG.warn("peer port: refused {} call(s) from outside the cluster, the last from {}: {}", refused,
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), status.getDescription());
        }
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
