package org.ketcd.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.LockResponse;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.etcd.jetcd.api.lock.UnlockResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import org.ketcd.api.EtcdServer;

/** etcd's v3lock service (what {@code etcdctl lock} and jetcd's Lock client call) over the server interface. */
final class LockService extends LockGrpc.LockImplBase {
    private final EtcdServer member;

    LockService(EtcdServer server) {
        this.member = server;
    }

    /** The member, serving the caller of the current call. */
    private EtcdServer server() {
        return CallerToken.serverFor(member);
    }

    @Override
    public void lock(LockRequest request, StreamObserver<LockResponse> observer) {
        CompletableFuture<org.ketcd.api.LockResponse> waiting = server().lock(request.getName().toByteArray(), request.getLease());
        // A client that gives up (deadline, cancel, gone) leaves the queue: its waiting key is deleted.
        ((ServerCallStreamObserver<LockResponse>) observer).setOnCancelHandler(() -> waiting.cancel(false));
        StatusMapping.reply(observer, r -> LockResponse.newBuilder()
                .setHeader(KvMessages.header(server().header(r.revision()))).setKey(ByteString.copyFrom(r.key())).build(),
                () -> waiting);
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> observer) {
        StatusMapping.reply(observer, revision -> UnlockResponse.newBuilder()
                .setHeader(KvMessages.header(server().header(revision))).build(),
                () -> server().unlock(request.getKey().toByteArray()));
    }
}
