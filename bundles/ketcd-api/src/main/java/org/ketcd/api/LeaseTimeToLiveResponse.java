package org.ketcd.api;

import java.util.List;

/**
 * etcd's LeaseTimeToLiveResponse: remaining seconds ({@code ttl}, -1 when the lease does not exist),
 * the TTL it was granted with, and the keys it holds when asked for.
 */
public record LeaseTimeToLiveResponse(long revision, long id, long ttl, long grantedTtl, List<byte[]> keys) {
}
