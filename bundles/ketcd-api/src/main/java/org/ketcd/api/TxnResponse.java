package org.ketcd.api;

import java.util.List;

/** etcd's TxnResponse. */
public record TxnResponse(long revision, boolean succeeded, List<ResponseOp> responses) {
}
