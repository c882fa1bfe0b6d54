package org.ketcd.mvcc;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.ketcd.api.Bytes;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;

/** Short builders and a readable rendering of key-values for store tests. */
final class Kv {

    private Kv() {
    }

    static byte[] b(String s) {
        return Bytes.utf8(s);
    }

    static PutRequest put(String k, String v) {
        return PutRequest.of(b(k), b(v));
    }

    static RangeRequest get(String k) {
        return RangeRequest.of(b(k), Bytes.EMPTY);
    }

    static RangeRequest getAt(String k, long rev) {
        return new RangeRequest(b(k), Bytes.EMPTY, 0, rev, RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY,
            false, false, false, 0, 0, 0, 0);
    }

    static RangeRequest prefix(String p) {
        return RangeRequest.of(b(p), Bytes.prefixEnd(b(p)));
    }

    static DeleteRangeRequest del(String k) {
        return new DeleteRangeRequest(b(k), Bytes.EMPTY, false);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static String show(KeyValue kv) {
        return kv == null ? "null" : str(kv.key()) + "=" + str(kv.value()) + "{c" + kv.createRevision() + ",m"
            + kv.modRevision() + ",v" + kv.version() + ",l" + kv.lease() + "}";
    }

    static String show(List<KeyValue> kvs) {
        return kvs.stream().map(Kv::show).collect(Collectors.joining(", ", "[", "]"));
    }

    static String show(RangeResponse r) {
        return "rev=" + r.revision() + " count=" + r.count() + " more=" + r.more() + " " + show(r.kvs());
    }
}
