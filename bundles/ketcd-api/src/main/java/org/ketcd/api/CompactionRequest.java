package org.ketcd.api;

/** etcd's CompactionRequest: drop history below {@code revision}; {@code physical} waits for the disk work. */
public record CompactionRequest(long revision, boolean physical) {
}
