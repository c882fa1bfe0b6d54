package org.ketcd.raft;

import java.util.function.UnaryOperator;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;

/**
 * {@link PeerWire#QUERY}: a question one member asks another about that member's own state, such as its
 * store's hash at a revision (etcd asks its peers' {@code /members/hashkv} alike). Members only; answered
 * by the handler the server sets, which must not block for long.
 */
final class PeerQueries {
    private volatile UnaryOperator<byte[]> handler;

    void answerWith(UnaryOperator<byte[]> handler) {
        this.handler = handler;
    }

    void answer(byte[] query, StreamObserver<byte[]> response) {
        UnaryOperator<byte[]> h = handler;
        if (h == null) {
            response.onError(Status.UNAVAILABLE.withDescription("this member answers no queries yet").asRuntimeException());
            return;
        }
        byte[] answer;
        try {
            answer = h.apply(query);
        } catch (RuntimeException e) {
            response.onError(Status.INTERNAL.withDescription("query failed: " + e.getMessage()).asRuntimeException());
            return;
        }
        response.onNext(answer);
        response.onCompleted();
    }
}
