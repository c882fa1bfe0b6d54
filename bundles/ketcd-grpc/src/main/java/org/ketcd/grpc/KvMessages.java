package org.ketcd.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.api.Compare;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.DeleteRangeResponse;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.PutResponse;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.RequestOp;
import org.ketcd.api.ResponseHeader;
import org.ketcd.api.ResponseOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;

/** Translates etcd's KV protobuf messages to Ketcd's API types and back. */
final class KvMessages {
    /** etcd's Compare.LEASE target and its {@code lease} field (8), absent from jetcd-grpc's older proto. */
    private static final int COMPARE_TARGET_LEASE = 4;
    private static final int COMPARE_FIELD_LEASE = 8;

    private KvMessages() {
    }

    static io.etcd.jetcd.api.ResponseHeader header(ResponseHeader h) {
        return io.etcd.jetcd.api.ResponseHeader.newBuilder().setClusterId(h.clusterId()).setMemberId(h.memberId())
                .setRevision(h.revision()).setRaftTerm(h.raftTerm()).build();
    }

    /** Responses nested in a transaction carry only the revision in their header, as etcd's do. */
    private static io.etcd.jetcd.api.ResponseHeader nestedHeader(long revision) {
        return io.etcd.jetcd.api.ResponseHeader.newBuilder().setRevision(revision).build();
    }

    static RangeRequest range(io.etcd.jetcd.api.RangeRequest r) {
        return new RangeRequest(r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), r.getLimit(),
                r.getRevision(), known(RangeRequest.SortOrder.values(), r.getSortOrderValue()),
                known(RangeRequest.SortTarget.values(), r.getSortTargetValue()), r.getSerializable(), r.getKeysOnly(),
                r.getCountOnly(), r.getMinModRevision(), r.getMaxModRevision(), r.getMinCreateRevision(),
                r.getMaxCreateRevision());
    }

    /** An enum's value by number; one etcd does not know sorts nothing (etcd ascends or descends only when asked). */
    private static <E extends Enum<E>> E known(E[] values, int number) {
        return number >= 0 && number < values.length ? values[number] : values[0];
    }

    static PutRequest put(io.etcd.jetcd.api.PutRequest r) {
        return new PutRequest(r.getKey().toByteArray(), r.getValue().toByteArray(), r.getLease(), r.getPrevKv(),
                r.getIgnoreValue(), r.getIgnoreLease());
    }

    static DeleteRangeRequest delete(io.etcd.jetcd.api.DeleteRangeRequest r) {
        return new DeleteRangeRequest(r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), r.getPrevKv());
    }

    static CompactionRequest compact(io.etcd.jetcd.api.CompactionRequest r) {
        return new CompactionRequest(r.getRevision(), r.getPhysical());
    }

    static TxnRequest txn(io.etcd.jetcd.api.TxnRequest r) {
        List<Compare> compares = new ArrayList<>(r.getCompareCount());
        for (io.etcd.jetcd.api.Compare c : r.getCompareList()) {
            compares.add(compare(c));
        }
        return new TxnRequest(compares, ops(r.getSuccessList()), ops(r.getFailureList()));
    }

    private static Compare compare(io.etcd.jetcd.api.Compare c) {
        Compare.Result result = Compare.Result.values()[c.getResultValue()];
        byte[] key = c.getKey().toByteArray();
        byte[] end = c.getRangeEnd().toByteArray();
        return switch (c.getTargetValue()) {
            case 0 -> new Compare(result, Compare.Target.VERSION, key, end, c.getVersion(), null);
            case 1 -> new Compare(result, Compare.Target.CREATE, key, end, c.getCreateRevision(), null);
            case 2 -> new Compare(result, Compare.Target.MOD, key, end, c.getModRevision(), null);
            case 3 -> new Compare(result, Compare.Target.VALUE, key, end, 0, c.getValue().toByteArray());
            case COMPARE_TARGET_LEASE -> new Compare(result, Compare.Target.LEASE, key, end, leaseOf(c), null);
            default -> throw new IllegalArgumentException("unknown compare target " + c.getTargetValue());
        };
    }

    private static long leaseOf(io.etcd.jetcd.api.Compare c) {
        UnknownFieldSet.Field f = c.getUnknownFields().getField(COMPARE_FIELD_LEASE);
        return f == null || f.getVarintList().isEmpty() ? 0 : f.getVarintList().get(f.getVarintList().size() - 1);
    }

    private static List<RequestOp> ops(List<io.etcd.jetcd.api.RequestOp> ops) {
        List<RequestOp> out = new ArrayList<>(ops.size());
        for (io.etcd.jetcd.api.RequestOp op : ops) {
            out.add(switch (op.getRequestCase()) {
                case REQUEST_RANGE -> RequestOp.range(range(op.getRequestRange()));
                case REQUEST_PUT -> RequestOp.put(put(op.getRequestPut()));
                case REQUEST_DELETE_RANGE -> RequestOp.delete(delete(op.getRequestDeleteRange()));
                case REQUEST_TXN -> RequestOp.txn(txn(op.getRequestTxn()));
                default -> throw new IllegalArgumentException("transaction operation with no request");
            });
        }
        return out;
    }

    static io.etcd.jetcd.api.KeyValue kv(KeyValue kv) {
        return io.etcd.jetcd.api.KeyValue.newBuilder().setKey(ByteString.copyFrom(kv.key()))
                .setCreateRevision(kv.createRevision()).setModRevision(kv.modRevision()).setVersion(kv.version())
                .setValue(ByteString.copyFrom(kv.value())).setLease(kv.lease()).build();
    }

    static io.etcd.jetcd.api.RangeResponse rangeResponse(RangeResponse r, io.etcd.jetcd.api.ResponseHeader h) {
        io.etcd.jetcd.api.RangeResponse.Builder b = io.etcd.jetcd.api.RangeResponse.newBuilder().setHeader(h)
                .setMore(r.more()).setCount(r.count());
        r.kvs().forEach(kv -> b.addKvs(kv(kv)));
        return b.build();
    }

    static io.etcd.jetcd.api.PutResponse putResponse(PutResponse r, io.etcd.jetcd.api.ResponseHeader h) {
        io.etcd.jetcd.api.PutResponse.Builder b = io.etcd.jetcd.api.PutResponse.newBuilder().setHeader(h);
        if (r.prevKv() != null) {
            b.setPrevKv(kv(r.prevKv()));
        }
        return b.build();
    }

    static io.etcd.jetcd.api.DeleteRangeResponse deleteResponse(DeleteRangeResponse r,
                                                                io.etcd.jetcd.api.ResponseHeader h) {
        io.etcd.jetcd.api.DeleteRangeResponse.Builder b = io.etcd.jetcd.api.DeleteRangeResponse.newBuilder()
                .setHeader(h).setDeleted(r.deleted());
        r.prevKvs().forEach(kv -> b.addPrevKvs(kv(kv)));
        return b.build();
    }

    static io.etcd.jetcd.api.TxnResponse txnResponse(TxnResponse r, io.etcd.jetcd.api.ResponseHeader h) {
        io.etcd.jetcd.api.TxnResponse.Builder b = io.etcd.jetcd.api.TxnResponse.newBuilder().setHeader(h)
                .setSucceeded(r.succeeded());
        for (ResponseOp op : r.responses()) {
            b.addResponses(responseOp(op));
        }
        return b.build();
    }

    private static io.etcd.jetcd.api.ResponseOp responseOp(ResponseOp op) {
        io.etcd.jetcd.api.ResponseOp.Builder b = io.etcd.jetcd.api.ResponseOp.newBuilder();
        if (op.range() != null) {
            b.setResponseRange(rangeResponse(op.range(), nestedHeader(op.range().revision())));
        } else if (op.put() != null) {
            b.setResponsePut(putResponse(op.put(), nestedHeader(op.put().revision())));
        } else if (op.delete() != null) {
            b.setResponseDeleteRange(deleteResponse(op.delete(), nestedHeader(op.delete().revision())));
        } else {
            b.setResponseTxn(txnResponse(op.txn(), nestedHeader(op.txn().revision())));
        }
        return b.build();
    }
}
