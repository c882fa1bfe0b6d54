package org.ketcd.grpc;

import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.ketcd.api.EtcdServer;

/**
 * etcd's Watch service: one {@link WatchStream} per bidirectional call. Watch streams never end on
 * their own, so {@link #stopStreams()} ends them when the endpoint closes (instead of a grace period).
 */
final class WatchService extends WatchGrpc.WatchImplBase {
    private final EtcdServer server;
    private final Executor executor;
    private final Set<WatchStream> open = ConcurrentHashMap.newKeySet();
    /** Shared by the streams of this endpoint: an event is converted once for all its watchers. */
    private final ProtoEventCache protos = new ProtoEventCache();

    WatchService(EtcdServer server, Executor executor) {
        this.server = server;
        this.executor = executor;
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        WatchStream[] self = new WatchStream[1];
        self[0] = new WatchStream(CallerToken.serverFor(server), (ServerCallStreamObserver<WatchResponse>) responses, executor, protos,
                () -> open.remove(self[0]));
        open.add(self[0]);
        return self[0];
    }

    /** Ends every open stream with "etcdserver: server stopped". */
    void stopStreams() {
        open.forEach(WatchStream::stop);
    }
}
