package org.ketcd.api;

/** One operation inside a transaction: exactly one of the four is set, as etcd's RequestOp oneof. */
public record RequestOp(RangeRequest range, PutRequest put, DeleteRangeRequest delete, TxnRequest txn) {

    public static RequestOp range(RangeRequest r) {
        return new RequestOp(r, null, null, null);
    }

    public static RequestOp put(PutRequest p) {
        return new RequestOp(null, p, null, null);
    }

    public static RequestOp delete(DeleteRangeRequest d) {
        return new RequestOp(null, null, d, null);
    }

    public static RequestOp txn(TxnRequest t) {
        return new RequestOp(null, null, null, t);
    }
}
