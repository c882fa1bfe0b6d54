package org.ketcd.api;

/**
 * What a member's lessor counted since it started, for etcd's lease metrics.
 *
 * @param granted     etcd_debugging_lease_granted_total: grants applied on this member
 * @param revoked     etcd_debugging_lease_revoked_total: revocations (by a client or on expiry) applied on this member
 * @param renewed     etcd_debugging_lease_renewed_total: keep-alives this member answered as the leader
 * @param grantedTtls etcd_debugging_lease_ttl_total: the granted TTLs (after the minimum TTL), in etcd's buckets
 */
public record LeaseCounts(long granted, long revoked, long renewed, DurationHistogram.Snapshot grantedTtls) {
}
