package org.ketcd.api;

import java.util.List;

/** etcd's TxnRequest: if every compare holds, run success, else failure — in one revision. */
public record TxnRequest(List<Compare> compare, List<RequestOp> success, List<RequestOp> failure) {
}
