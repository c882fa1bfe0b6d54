package org.ketcd.api;

/** etcd's LeaseGrantResponse: the lease id (chosen by the server when the request gave 0) and its TTL in seconds. */
public record LeaseGrantResponse(long revision, long id, long ttl) {
}
