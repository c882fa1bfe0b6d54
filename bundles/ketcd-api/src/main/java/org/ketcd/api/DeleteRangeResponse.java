package org.ketcd.api;

import java.util.List;

/** etcd's DeleteRangeResponse; {@code prevKvs} is empty unless requested. */
public record DeleteRangeResponse(long revision, long deleted, List<KeyValue> prevKvs) {
}
