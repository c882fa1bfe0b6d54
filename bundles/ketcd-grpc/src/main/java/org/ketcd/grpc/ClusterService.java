package org.ketcd.grpc;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import org.ketcd.api.EtcdServer;

/** etcd's Cluster service; membership changes arrive with multi-member clusters (they answer UNIMPLEMENTED). */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final EtcdServer server;

    ClusterService(EtcdServer server) {
        this.server = server;
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
        StatusMapping.reply(observer, members -> {
            MemberListResponse.Builder b = MemberListResponse.newBuilder()
                    .setHeader(KvMessages.header(server.header(0)));
            members.forEach(m -> b.addMembers(Member.newBuilder().setID(m.id()).setName(m.name())
                    .addAllPeerURLs(m.peerUrls()).addAllClientURLs(m.clientUrls()).setIsLearner(m.learner())));
            return b.build();
        }, () -> CompletableFuture.completedFuture(server.members()));
    }
}
