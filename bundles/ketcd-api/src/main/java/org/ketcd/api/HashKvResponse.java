package org.ketcd.api;

/** etcd's HashKVResponse: a CRC-32C over the key-values up to a revision, and the compact revision it covers. */
public record HashKvResponse(long revision, int hash, long compactRevision) {
}
