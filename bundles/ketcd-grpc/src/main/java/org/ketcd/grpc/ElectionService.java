package org.ketcd.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.CampaignResponse;
import io.etcd.jetcd.api.ElectionGrpc;
import io.etcd.jetcd.api.LeaderKey;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaderResponse;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.ProclaimResponse;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.ResignResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdServer;

/** etcd's v3election service (what {@code etcdctl elect} and jetcd's Election client call) over the server interface. */
final class ElectionService extends ElectionGrpc.ElectionImplBase {
    private final EtcdServer member;

    ElectionService(EtcdServer server) {
        this.member = server;
    }

    /** The member, serving the caller of the current call. */
    private EtcdServer server() {
        return CallerToken.serverFor(member);
    }

    @Override
    public void campaign(CampaignRequest request, StreamObserver<CampaignResponse> observer) {
        CompletableFuture<org.ketcd.api.CampaignResponse> waiting = server().campaign(request.getName().toByteArray(),
                request.getLease(), request.getValue().toByteArray());
        ((ServerCallStreamObserver<CampaignResponse>) observer).setOnCancelHandler(() -> waiting.cancel(false));
        StatusMapping.reply(observer, r -> CampaignResponse.newBuilder()
                .setHeader(KvMessages.header(server().header(r.revision()))).setLeader(leaderKey(r.leader())).build(),
                () -> waiting);
    }

    @Override
    public void proclaim(ProclaimRequest request, StreamObserver<ProclaimResponse> observer) {
        StatusMapping.reply(observer, revision -> ProclaimResponse.newBuilder()
                .setHeader(KvMessages.header(server().header(revision))).build(),
                () -> server().proclaim(leaderKey(required(request.hasLeader(), request.getLeader())),
                        request.getValue().toByteArray()));
    }

    @Override
    public void leader(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
        StatusMapping.reply(observer, this::leaderResponse, () -> server().leader(request.getName().toByteArray()));
    }

    @Override
    public void resign(ResignRequest request, StreamObserver<ResignResponse> observer) {
        StatusMapping.reply(observer, revision -> ResignResponse.newBuilder()
                .setHeader(KvMessages.header(server().header(revision))).build(),
                () -> server().resign(leaderKey(required(request.hasLeader(), request.getLeader()))));
    }

    private static LeaderKey required(boolean given, LeaderKey leader) {
        if (!given) {
            throw EtcdError.ELECTION_MISSING_LEADER_KEY.exception();
        }
        return leader;
    }

    /** Leader changes, streamed until the client cancels; one update is sent at a time, in order. */
    @Override
    public void observe(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
        ServerCallStreamObserver<LeaderResponse> call = (ServerCallStreamObserver<LeaderResponse>) observer;
        Object sending = new Object();
        AutoCloseable observation = server().observe(request.getName().toByteArray(), leader -> {
            synchronized (sending) {
                if (!call.isCancelled()) {
                    call.onNext(leaderResponse(leader));
                }
            }
        }, error -> {
            synchronized (sending) {
                if (!call.isCancelled()) {
                    call.onError(StatusMapping.toStatus(error));
                }
            }
        });
        call.setOnCancelHandler(() -> {
            try {
                observation.close();
            } catch (Exception ignored) {
                // closing an observation only completes a future
            }
        });
    }

    private LeaderResponse leaderResponse(org.ketcd.api.LeaderResponse r) {
        return LeaderResponse.newBuilder().setHeader(KvMessages.header(server().header(r.revision())))
                .setKv(KvMessages.kv(r.kv())).build();
    }

    private static LeaderKey leaderKey(org.ketcd.api.LeaderKey k) {
        return LeaderKey.newBuilder().setName(ByteString.copyFrom(k.name())).setKey(ByteString.copyFrom(k.key()))
                .setRev(k.revision()).setLease(k.lease()).build();
    }

    private static org.ketcd.api.LeaderKey leaderKey(LeaderKey k) {
        return new org.ketcd.api.LeaderKey(k.getName().toByteArray(), k.getKey().toByteArray(), k.getRev(), k.getLease());
    }
}
