package org.ketcd.raft;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;

/**
 * Requests other members forward to this member while it leads (as an etcd follower forwards proposals):
 * Ratis client requests (writes, leader queries) and administrative requests (configuration changes,
 * leadership transfers), each in Ratis' own protobuf encoding, submitted here to Ratis in-process. Ratis'
 * client and admin services themselves are not served on the network ({@link PeerPortPolicy}); these calls
 * are, to members only.
 */
final class ForwardedRequests {
    private static final byte SET_CONFIGURATION = 1;
    private static final byte TRANSFER_LEADERSHIP = 2;

    /** This member's Ratis server, once built. */
    private final AtomicReference<RaftServer> server = new AtomicReference<>();

    void serveWith(RaftServer raft) {
        server.set(raft);
    }

    /** {@link PeerWire#SUBMIT}: a write or a leader query; answers Ratis' reply, a NotLeader one included. */
    void submit(byte[] request, StreamObserver<byte[]> response) {
        RaftServer raft = server.get();
        RaftClientRequest r;
        try {
            r = ClientProtoUtils.toRaftClientRequest(RaftClientRequestProto.parseFrom(request));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("not a Ratis client request").asRuntimeException());
            return;
        }
        if (!r.is(RaftClientRequestProto.TypeCase.WRITE) && !r.is(RaftClientRequestProto.TypeCase.READ)) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("only writes and reads are forwarded").asRuntimeException());
            return;
        }
        if (raft == null) {
            response.onError(Status.UNAVAILABLE.withDescription("Raft is not running yet").asRuntimeException());
            return;
        }
        try {
            answer(raft.submitClientRequestAsync(r), response);
        } catch (java.io.IOException e) {
            response.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    /** {@link PeerWire#ADMIN}: a configuration change or a leadership transfer. */
    void admin(byte[] request, StreamObserver<byte[]> response) {
        RaftServer raft = server.get();
        if (raft == null) {
            response.onError(Status.UNAVAILABLE.withDescription("Raft is not running yet").asRuntimeException());
            return;
        }
        try {
            byte[] proto = java.util.Arrays.copyOfRange(request, 1, request.length);
            if (request.length > 0 && request[0] == SET_CONFIGURATION) {
                answer(raft.setConfigurationAsync(ClientProtoUtils.toSetConfigurationRequest(
                        SetConfigurationRequestProto.parseFrom(proto))), response);
            } else if (request.length > 0 && request[0] == TRANSFER_LEADERSHIP) {
                answer(raft.transferLeadershipAsync(ClientProtoUtils.toTransferLeadershipRequest(
                        TransferLeadershipRequestProto.parseFrom(proto))), response);
            } else {
                response.onError(Status.INVALID_ARGUMENT.withDescription("not a forwarded admin request").asRuntimeException());
            }
        } catch (java.io.IOException | RuntimeException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("not a forwarded admin request").asRuntimeException());
        }
    }

    private static void answer(CompletableFuture<RaftClientReply> reply, StreamObserver<byte[]> response) {
        reply.whenComplete((r, error) -> {
            if (error != null) {
                response.onError(Status.UNAVAILABLE.withDescription(String.valueOf(error.getMessage())).asRuntimeException());
            } else {
                response.onNext(ClientProtoUtils.toRaftClientReplyProto(r).toByteArray());
                response.onCompleted();
            }
        });
    }

    /** A client request as {@link #submit} takes it. */
    static byte[] encodeSubmit(RaftClientRequest request) {
        return ClientProtoUtils.toRaftClientRequestProto(request).toByteArray();
    }

    /** An admin request as {@link #admin} takes it. */
    static byte[] encodeAdmin(RaftClientRequest request) {
        byte kind;
        byte[] proto;
        if (request instanceof SetConfigurationRequest conf) {
            kind = SET_CONFIGURATION;
            proto = ClientProtoUtils.toSetConfigurationRequestProto(conf).toByteArray();
        } else if (request instanceof TransferLeadershipRequest transfer) {
            kind = TRANSFER_LEADERSHIP;
            proto = ClientProtoUtils.toTransferLeadershipRequestProto(transfer).toByteArray();
        } else {
            throw new IllegalArgumentException("not an admin request: " + request);
        }
        byte[] bytes = new byte[proto.length + 1];
        bytes[0] = kind;
        System.arraycopy(proto, 0, bytes, 1, proto.length);
        return bytes;
    }

    /** The reply {@link #submit} or {@link #admin} answered. */
    static RaftClientReply decodeReply(byte[] bytes) {
        try {
            return ClientProtoUtils.toRaftClientReply(RaftClientReplyProto.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the leader's reply does not parse", e);
        }
    }
}
