package org.ketcd.grpc;

import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import org.ketcd.api.EtcdServer;

/** etcd's Watch service: one {@link WatchStream} per bidirectional call. */
final class WatchService extends WatchGrpc.WatchImplBase {
    private final EtcdServer server;
    private final Executor executor;

    WatchService(EtcdServer server, Executor executor) {
        this.server = server;
        this.executor = executor;
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        return new WatchStream(server, (ServerCallStreamObserver<WatchResponse>) responses, executor);
    }
}
