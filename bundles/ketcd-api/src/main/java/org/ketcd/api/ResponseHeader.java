package org.ketcd.api;

/** etcd's ResponseHeader, filled by the server for every response. */
public record ResponseHeader(long clusterId, long memberId, long revision, long raftTerm) {
}
