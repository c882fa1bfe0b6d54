package org.ketcd.api;

/**
 * What a member's store counted since it opened, as etcd 3.4 counts its mvcc transactions (each also under its
 * {@code etcd_debugging_mvcc_*} twin).
 *
 * @param ranges   etcd_mvcc_range_total: reads of a key or range, a txn's compares and the reads behind prev_kv,
 *                 ignore_value and ignore_lease included
 * @param puts     etcd_mvcc_put_total: puts applied, one per put request or txn put
 * @param deletes  etcd_mvcc_delete_total: delete requests applied (a lease revocation deletes its keys one by one)
 * @param txns     etcd_mvcc_txn_total: store transactions of more than one of the above
 * @param putBytes etcd_debugging_mvcc_total_put_size_in_bytes: the keys and values put, in bytes
 */
public record OpCounts(long ranges, long puts, long deletes, long txns, long putBytes) {
}
