package org.ketcd.api;

import java.util.List;

/** etcd's TxnRequest: if every compare holds, run success, else failure — in one revision. */
public record TxnRequest(List<Compare> compare, List<RequestOp> success, List<RequestOp> failure) {
    /**
     * Deepest nesting of transactions Ketcd takes (the outermost counts as 1): every step of a request's path
     * (parsing, checks, the Raft command codec, apply, the response) recurses per level, so the bound keeps each
     * well within a thread stack (parsing overflowed 1 MB stacks between 1,000 and 2,000 levels). etcd's default
     * --max-txn-ops allows 129.
     */
    public static final int MAX_DEPTH = 256;
}
