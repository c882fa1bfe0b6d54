package org.ketcd.api;

/** etcd's LeaseKeepAliveResponse: the lease's TTL in seconds after the renewal; 0 when it no longer exists. */
public record LeaseKeepAliveResponse(long revision, long id, long ttl) {
}
