package org.ketcd.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one server interface every adapter (gRPC, REST, shell, Camel) calls. Writes go through Raft;
 * a failed future carries an {@link EtcdException} for every refusal a client should see.
 */
public interface EtcdServer {

    CompletableFuture<RangeResponse> range(RangeRequest request);

    CompletableFuture<PutResponse> put(PutRequest request);

    CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request);

    CompletableFuture<TxnResponse> txn(TxnRequest request);

    CompletableFuture<CompactionResponse> compact(CompactionRequest request);

    CompletableFuture<StatusResponse> status();

    /** Lists active alarms; {@code memberId} 0 means all members. */
    List<Alarm> alarms();

    CompletableFuture<List<Alarm>> activateAlarm(Alarm alarm);

    CompletableFuture<List<Alarm>> deactivateAlarm(Alarm alarm);

    CompletableFuture<Void> defragment();

    /** CRC-32C over the whole backend, as Maintenance.Hash. */
    CompletableFuture<Integer> hash();

    CompletableFuture<HashKvResponse> hashKv(long revision);

    List<Member> members();

    /** The store's current revision (cheap: no I/O). */
    long currentRevision();

    /** The header for a response at the given store revision. */
    ResponseHeader header(long revision);

    /** {@code --max-request-bytes}: adapters refuse larger requests with {@link EtcdError#REQUEST_TOO_LARGE}. */
    int maxRequestBytes();
}
