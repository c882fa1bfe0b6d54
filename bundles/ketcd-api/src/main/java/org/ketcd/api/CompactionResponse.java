package org.ketcd.api;

/** etcd's CompactionResponse (header only). */
public record CompactionResponse(long revision) {
}
