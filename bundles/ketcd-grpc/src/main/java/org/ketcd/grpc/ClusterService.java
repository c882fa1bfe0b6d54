package org.ketcd.grpc;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberPromoteRequest;
import io.etcd.jetcd.api.MemberPromoteResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.MemberUpdateResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.ketcd.api.EtcdServer;

/** etcd's Cluster service: member list, add (voter or learner), remove, update, promote. */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final EtcdServer member;

    ClusterService(EtcdServer server) {
        this.member = server;
    }

    /** The member, serving the caller of the current call. */
    private EtcdServer server() {
        return CallerToken.serverFor(member);
    }

    /** etcd answers membership calls with a header that has no revision. */
    private io.etcd.jetcd.api.ResponseHeader header() {
        return KvMessages.header(server().header(0));
    }

    private static Member member(org.ketcd.api.Member m) {
        return Member.newBuilder().setID(m.id()).setName(m.name()).addAllPeerURLs(m.peerUrls())
                .addAllClientURLs(m.clientUrls()).setIsLearner(m.learner()).build();
    }

    private static List<Member> members(List<org.ketcd.api.Member> list) {
        return list.stream().map(ClusterService::member).toList();
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
        StatusMapping.reply(observer, list -> MemberListResponse.newBuilder().setHeader(header())
                .addAllMembers(members(list)).build(), () -> CompletableFuture.completedFuture(server().members()));
    }

    @Override
    public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> observer) {
        StatusMapping.reply(observer, added -> MemberAddResponse.newBuilder().setHeader(header())
                        .setMember(member(added.member())).addAllMembers(members(added.members())).build(),
                () -> server().addMember(request.getPeerURLsList(), request.getIsLearner()));
    }

    @Override
    public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> observer) {
        StatusMapping.reply(observer, list -> MemberRemoveResponse.newBuilder().setHeader(header())
                .addAllMembers(members(list)).build(), () -> server().removeMember(request.getID()));
    }

    @Override
    public void memberUpdate(MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> observer) {
        StatusMapping.reply(observer, list -> MemberUpdateResponse.newBuilder().setHeader(header())
                        .addAllMembers(members(list)).build(),
                () -> server().updateMember(request.getID(), request.getPeerURLsList()));
    }

    @Override
    public void memberPromote(MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> observer) {
        StatusMapping.reply(observer, list -> MemberPromoteResponse.newBuilder().setHeader(header())
                .addAllMembers(members(list)).build(), () -> server().promoteMember(request.getID()));
    }
}
