package org.ketcd.server.concurrency;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.ketcd.api.Bytes;
import org.ketcd.api.Compare;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;

/** Keys and transactions shared by the lock and election recipes, as etcd's concurrency package builds them. */
final class Recipes {
    private Recipes() {
    }

    /** {@code name/}: the prefix under which every contender of {@code name} puts its key. */
    static byte[] prefix(byte[] name) {
        byte[] p = new byte[name.length + 1];
        System.arraycopy(name, 0, p, 0, name.length);
        p[name.length] = '/';
        return p;
    }

    /** {@code name/<lease id in lower-case hex>}: one contender's key, as etcd's Mutex and Election name it. */
    static byte[] contenderKey(byte[] prefix, long lease) {
        byte[] hex = Long.toHexString(lease).getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[prefix.length + hex.length];
        System.arraycopy(prefix, 0, k, 0, prefix.length);
        System.arraycopy(hex, 0, k, prefix.length, hex.length);
        return k;
    }

    /** Puts {@code key} with {@code value} under {@code lease} unless it exists; else reads it. */
    static TxnRequest createOrGet(byte[] key, byte[] value, long lease) {
        return new TxnRequest(List.of(createRevisionIs(key, 0)),
                List.of(RequestOp.put(new PutRequest(key, value, lease, false, false, false))),
                List.of(RequestOp.range(RangeRequest.of(key, Bytes.EMPTY))));
    }

    static Compare createRevisionIs(byte[] key, long revision) {
        return new Compare(Compare.Result.EQUAL, Compare.Target.CREATE, key, Bytes.EMPTY, revision, null);
    }

    /** The contender's create revision after {@link #createOrGet}: the txn's, or the existing key's. */
    static long createRevision(TxnResponse r) {
        return r.succeeded() ? r.revision() : existing(r).createRevision();
    }

    /** The key read by the failure branch of {@link #createOrGet}. */
    static KeyValue existing(TxnResponse r) {
        return r.responses().get(0).range().kvs().get(0);
    }
}
