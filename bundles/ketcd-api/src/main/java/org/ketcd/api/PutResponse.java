package org.ketcd.api;

/** etcd's PutResponse; {@code prevKv} is null unless requested and the key existed. */
public record PutResponse(long revision, KeyValue prevKv) {
}
