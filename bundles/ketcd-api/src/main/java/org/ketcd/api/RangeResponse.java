package org.ketcd.api;

import java.util.List;

/** etcd's RangeResponse; {@code revision} is the store revision the header reports. */
public record RangeResponse(long revision, List<KeyValue> kvs, boolean more, long count) {
}
