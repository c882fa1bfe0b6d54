package org.ketcd.grpc;

import com.google.protobuf.CodedInputStream;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import org.ketcd.api.EtcdError;

/**
 * etcd's {@code KV.Txn} with its request parsed here instead of by grpc's protobuf marshaller. etcd lets a
 * transaction nest {@code --max-txn-ops} + 1 levels deep (129 by default), each level two protobuf messages,
 * beyond protobuf's default limit of 100 nested messages: grpc failed such requests with
 * "UNKNOWN: Application error processing RPC". Parsing stops at {@link #MAX_TXN_DEPTH} levels, so no
 * recursion on the request's path (parse, checks, Raft command codec, apply, response) can overflow a stack.
 */
final class TxnMethod {
    /** Deepest transaction accepted: {@link org.ketcd.api.TxnRequest#MAX_DEPTH}, which the Raft command codec reads too. */
    static final int MAX_TXN_DEPTH = org.ketcd.api.TxnRequest.MAX_DEPTH;
    /** Protobuf counts each nested message: a level is a RequestOp and its TxnRequest, the innermost op adds its request. */
    static final int RECURSION_LIMIT = 2 * MAX_TXN_DEPTH;

    private TxnMethod() {
    }

    /** The KV service {@code kv} (bound from {@code service}) with its Txn method parsing through {@link #parse}. */
    static ServerServiceDefinition replaceIn(ServerServiceDefinition kv, KvService service, int maxTxnOps) {
        MethodDescriptor<TxnRequest, TxnResponse> txn = KVGrpc.getTxnMethod();
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(kv.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> m : kv.getMethods()) {
            if (!m.getMethodDescriptor().getFullMethodName().equals(txn.getFullMethodName())) {
                b.addMethod(m);
            }
        }
        b.addMethod(txn.toBuilder(ByteArrayMarshaller.INSTANCE, txn.getResponseMarshaller()).build(),
                ServerCalls.asyncUnaryCall((byte[] request, io.grpc.stub.StreamObserver<TxnResponse> observer) -> {
                    TxnRequest parsed;
                    try {
                        parsed = parse(request, maxTxnOps);
                    } catch (StatusRuntimeException refused) {
                        observer.onError(refused);
                        return;
                    }
                    service.txn(parsed, observer);
                }));
        return b.build();
    }

    /**
     * The request, or the status etcd answers: a transaction deeper than {@link #MAX_TXN_DEPTH} is one etcd
     * refuses as too many operations whenever {@code --max-txn-ops} is below that depth (each level but the
     * innermost spends at least one of them); above, Ketcd says why it refuses what etcd would run.
     */
    static TxnRequest parse(byte[] request, int maxTxnOps) {
        CodedInputStream in = CodedInputStream.newInstance(request);
        in.setRecursionLimit(RECURSION_LIMIT);
        try {
            return TxnRequest.parseFrom(in);
        } catch (IOException e) { // from a byte array: always an InvalidProtocolBufferException
            if (!isTooDeep(e)) {
                // grpc-go's words, as etcd answers a request it cannot decode
                throw Status.INTERNAL.withDescription("grpc: error unmarshalling request: " + e.getMessage()).asRuntimeException();
            }
            if (maxTxnOps < MAX_TXN_DEPTH) {
                throw StatusMapping.status(EtcdError.TOO_MANY_OPS);
            }
            throw Status.INVALID_ARGUMENT.withDescription("etcdserver: transaction nested deeper than " + MAX_TXN_DEPTH
                    + " levels (Ketcd's limit)").asRuntimeException();
        }
    }

    private static boolean isTooDeep(IOException e) {
        // protobuf has no type for it: InvalidProtocolBufferException.recursionLimitExceeded()'s message
        return e.getMessage() != null && e.getMessage().startsWith("Protocol message had too many levels of nesting");
    }
}
