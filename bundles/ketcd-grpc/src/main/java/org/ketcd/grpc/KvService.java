package org.ketcd.grpc;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.stub.StreamObserver;
import org.ketcd.api.EtcdServer;

/** etcd's KV service over the server interface. */
final class KvService extends KVGrpc.KVImplBase {
    private final EtcdServer member;

    KvService(EtcdServer server) {
        this.member = server;
    }

    /** The member, serving the caller of the current call. */
    private EtcdServer server() {
        return CallerToken.serverFor(member);
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
        StatusMapping.reply(observer, r -> KvMessages.rangeResponse(r, KvMessages.header(server().header(r.revision()))),
                () -> server().range(KvMessages.range(request)));
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> observer) {
        StatusMapping.replyToWrite(observer, r -> KvMessages.putResponse(r, KvMessages.header(server().header(r.revision()))),
                () -> server().put(KvMessages.put(request)));
    }

    @Override
    public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> observer) {
        StatusMapping.replyToWrite(observer,
                r -> KvMessages.deleteResponse(r, KvMessages.header(server().header(r.revision()))),
                () -> server().deleteRange(KvMessages.delete(request)));
    }

    @Override
    public void txn(TxnRequest request, StreamObserver<TxnResponse> observer) {
        StatusMapping.replyToWrite(observer, r -> KvMessages.txnResponse(r, KvMessages.header(server().header(r.revision()))),
                () -> server().txn(KvMessages.txn(request)));
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> observer) {
        StatusMapping.reply(observer, r -> CompactionResponse.newBuilder()
                        .setHeader(KvMessages.header(server().header(r.revision()))).build(),
                () -> server().compact(KvMessages.compact(request)));
    }
}
