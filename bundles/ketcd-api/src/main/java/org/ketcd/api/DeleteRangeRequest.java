package org.ketcd.api;

/** etcd's DeleteRangeRequest (same key/rangeEnd rules as a range). */
public record DeleteRangeRequest(byte[] key, byte[] rangeEnd, boolean prevKv) {
}
