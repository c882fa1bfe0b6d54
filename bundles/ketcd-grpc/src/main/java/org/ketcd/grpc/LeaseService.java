package org.ketcd.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.ketcd.api.EtcdServer;

/** etcd's Lease service over the server interface (LeaseLeases, missing from jetcd's stubs, is {@link LeaseLeasesMethod}). */
final class LeaseService extends LeaseGrpc.LeaseImplBase {
    private final EtcdServer member;

    LeaseService(EtcdServer server) {
        this.member = server;
    }

    /** The member, serving the caller of the current call. */
    private EtcdServer server() {
        return CallerToken.serverFor(member);
    }

    @Override
    public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> observer) {
        StatusMapping.reply(observer, r -> LeaseGrantResponse.newBuilder()
                        .setHeader(KvMessages.header(server().header(r.revision()))).setID(r.id()).setTTL(r.ttl()).build(),
                () -> server().leaseGrant(request.getTTL(), request.getID()));
    }

    @Override
    public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> observer) {
        StatusMapping.reply(observer, revision -> LeaseRevokeResponse.newBuilder()
                        .setHeader(KvMessages.header(server().header(revision))).build(),
                () -> server().leaseRevoke(request.getID()));
    }

    @Override
    public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> observer) {
        StatusMapping.reply(observer, r -> {
            LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder()
                    .setHeader(KvMessages.header(server().header(r.revision())))
                    .setID(r.id()).setTTL(r.ttl()).setGrantedTTL(r.grantedTtl());
            r.keys().forEach(k -> b.addKeys(ByteString.copyFrom(k)));
            return b.build();
        }, () -> server().leaseTimeToLive(request.getID(), request.getKeys()));
    }

    /**
     * Renewals one keep-alive stream may have unanswered. More than one lets gRPC hand this service a run of buffered
     * requests at once instead of one per round trip through its executor (jetcd resends every unanswered lease each
     * 500 ms and gives up on a lease whose first answer takes over 5 s, so a slow stream loses keep-alives); few
     * enough that a flooding client holds no more than this many here. Answers may come out of order on a follower,
     * whose renewals go to the leader; clients match them by lease ID.
     */
    static final int KEEP_ALIVES_IN_FLIGHT = 16;

    /**
     * At most {@link #KEEP_ALIVES_IN_FLIGHT} renewals at a time per stream: a request is read only while fewer are
     * unanswered, so a client that floods the stream is held back by gRPC flow control instead of queueing renewals
     * here. A server error ends the stream with etcd's status, as in etcd.
     */
    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> responses) {
        ServerCallStreamObserver<LeaseKeepAliveResponse> call = (ServerCallStreamObserver<LeaseKeepAliveResponse>) responses;
        call.disableAutoRequest();
        call.request(KEEP_ALIVES_IN_FLIGHT);
        return new StreamObserver<>() {
            private boolean ended;

            @Override
            public void onNext(LeaseKeepAliveRequest request) {
                server().leaseKeepAlive(request.getID()).whenComplete((r, error) -> {
                    synchronized (this) {
                        if (ended || call.isCancelled()) {
                            return;
                        }
                        if (error != null) {
                            ended = true;
                            call.onError(StatusMapping.toStatus(error));
                            return;
                        }
                        call.onNext(LeaseKeepAliveResponse.newBuilder()
                                .setHeader(KvMessages.header(server().header(r.revision()))).setID(r.id()).setTTL(r.ttl()).build());
                    }
                    call.request(1);
                });
            }

            @Override
            public void onError(Throwable t) {
                synchronized (this) {
                    ended = true;
                }
            }

            @Override
            public void onCompleted() {
                synchronized (this) {
                    if (!ended) {
                        ended = true;
                        call.onCompleted();
                    }
                }
            }
        };
    }
}
