package org.ketcd.api;

/** The answer to one {@link RequestOp}: exactly one of the four is set. */
public record ResponseOp(RangeResponse range, PutResponse put, DeleteRangeResponse delete, TxnResponse txn) {
}
