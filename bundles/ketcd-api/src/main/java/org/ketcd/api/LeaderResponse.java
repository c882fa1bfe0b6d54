package org.ketcd.api;

/** etcd's v3election LeaderResponse: the current leader's key-value (its value is what it proclaimed). */
public record LeaderResponse(long revision, KeyValue kv) {
}
