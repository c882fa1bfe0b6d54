package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions nested in transactions, sent as raw protobuf (clients' protobuf parsers stop at 100 nested
 * messages, half of etcd's default depth). etcd 3.4.23 answers (measured with the same requests, default
 * --max-txn-ops 128): depth 128 and 129 (the innermost empty) succeed, 130, 150 and 10,000 fail with
 * INVALID_ARGUMENT "etcdserver: too many operations in txn request".
 */
@Timeout(120)
class NestedTxnDepthTest {
    static final String TOO_MANY_OPS = "etcdserver: too many operations in txn request";
    static final MethodDescriptor<byte[], byte[]> TXN = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("etcdserverpb.KV/Txn")
            .setRequestMarshaller(ByteArrayMarshaller.INSTANCE).setResponseMarshaller(ByteArrayMarshaller.INSTANCE).build();

    @TempDir
    static Path dir;
    static GrpcCluster defaults;
    static GrpcCluster manyOps;
    static ManagedChannel defaultsChannel;
    static ManagedChannel manyOpsChannel;

    @BeforeAll
    static void start() throws Exception {
        defaults = GrpcCluster.start(dir.resolve("defaults"), 1);
        manyOps = GrpcCluster.start(dir.resolve("many-ops"), 1, "--max-txn-ops", "100000");
        defaultsChannel = channel(defaults);
        manyOpsChannel = channel(manyOps);
    }

    static ManagedChannel channel(GrpcCluster cluster) {
        URI url = URI.create(cluster.clientUrl(0));
        return ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        for (ManagedChannel c : new ManagedChannel[] {defaultsChannel, manyOpsChannel}) {
            if (c != null) {
                c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
        for (GrpcCluster c : new GrpcCluster[] {defaults, manyOps}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void depth128WithAPutInsideSucceedsAsInEtcd() throws Exception {
        byte[] response = txn(defaultsChannel, nested(128, "deep/128"));
        assertEquals(128, succeededLevels(response));
        assertEquals(1, count(defaultsChannel, "deep/128"));
    }

    @Test
    void depth129WithAnEmptyInnermostTxnSucceedsAsInEtcd() throws Exception {
        assertEquals(129, succeededLevels(txn(defaultsChannel, nested(129, null))));
    }

    @Test
    void depth130And150And10000AreTooManyOperationsAsInEtcd() {
        for (int depth : new int[] {130, 150, 10_000}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> txn(defaultsChannel, nested(depth, "d" + depth)));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), "depth " + depth);
            assertEquals(TOO_MANY_OPS, e.getStatus().getDescription(), "depth " + depth);
        }
    }

    @Test
    void withManyTxnOpsTheDeepestTxnKetcdParsesRunsToTheStoreAndBack() throws Exception {
        byte[] response = txn(manyOpsChannel, nested(TxnMethod.MAX_TXN_DEPTH, "deepest"));
        assertEquals(TxnMethod.MAX_TXN_DEPTH, succeededLevels(response));
        assertEquals(1, count(manyOpsChannel, "deepest"));
    }

    @Test
    void withManyTxnOpsOneLevelDeeperIsRefusedNamingKetcdsLimit() {
        for (int depth : new int[] {TxnMethod.MAX_TXN_DEPTH + 1, 100_000}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> txn(manyOpsChannel, nested(depth, "too-deep")));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertEquals("etcdserver: transaction nested deeper than " + TxnMethod.MAX_TXN_DEPTH + " levels (Ketcd's limit)",
                    e.getStatus().getDescription());
        }
    }

    @Test
    void undecodableTxnIsInternalWithGrpcGosWords() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> txn(defaultsChannel, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("grpc: error unmarshalling request: "), e.getStatus().getDescription());
    }

    static byte[] txn(ManagedChannel channel, byte[] request) {
        return ClientCalls.blockingUnaryCall(channel, TXN, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
    }

    static long count(ManagedChannel channel, String key) {
        return KVGrpc.newBlockingStub(channel).range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build()).getCount();
    }

    /**
     * {@code depth} TxnRequests, each the only success op of its parent, encoded by hand in one pass (protobuf's
     * own encoder recurses); the innermost puts {@code key}, or is empty for null.
     */
    static byte[] nested(int depth, String key) {
        byte[] innermost = key == null ? new byte[0]
                : field(2, field(2, concat(field(1, key.getBytes(StandardCharsets.UTF_8)), field(2, new byte[] {'v'}))));
        // inside out: the length of each level's TxnRequest and of the RequestOp that holds it
        long[] txnLength = new long[depth];
        long[] opLength = new long[depth];
        txnLength[depth - 1] = innermost.length;
        for (int i = depth - 2; i >= 0; i--) {
            opLength[i] = 1 + varintSize(txnLength[i + 1]) + txnLength[i + 1];
            txnLength[i] = 1 + varintSize(opLength[i]) + opLength[i];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) txnLength[0]);
        for (int i = 0; i < depth - 1; i++) {
            out.write((2 << 3) | 2); // TxnRequest.success
            varint(out, opLength[i]);
            out.write((4 << 3) | 2); // RequestOp.request_txn
            varint(out, txnLength[i + 1]);
        }
        out.writeBytes(innermost);
        return out.toByteArray();
    }

    static int varintSize(long v) {
        int size = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            size++;
        }
        return size;
    }

    /** How many TxnResponses, nested through their first response op, say succeeded. */
    static int succeededLevels(byte[] response) throws Exception {
        CodedInputStream in = CodedInputStream.newInstance(response);
        in.setRecursionLimit(Integer.MAX_VALUE);
        TxnResponse r = TxnResponse.parseFrom(in);
        int levels = 0;
        while (r.getSucceeded()) {
            levels++;
            if (r.getResponsesCount() == 0 || !r.getResponses(0).hasResponseTxn()) {
                break;
            }
            r = r.getResponses(0).getResponseTxn();
        }
        return levels;
    }

    static byte[] field(int number, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (number << 3) | 2);
        varint(out, body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
