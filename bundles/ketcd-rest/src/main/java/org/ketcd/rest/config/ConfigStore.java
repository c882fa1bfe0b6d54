package org.ketcd.rest.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.ketcd.api.Bytes;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;
import org.ketcd.rest.ServerCall;

/**
 * The configuration API's operations on the member's {@link EtcdServer}: every change is one etcd
 * transaction (value and content type together, conditions as compares), so it is atomic and goes
 * through Raft like any write; reads are linearizable.
 */
final class ConfigStore {
    /** Attempts of a bulk apply whose tree changed between reading and writing it. */
    static final int BULK_ATTEMPTS = 5;

    private final EtcdServer server;

    ConfigStore(EtcdServer server) {
        this.server = server;
    }

    /** One value with its content type and etcd metadata. */
    record Entry(String path, byte[] value, String contentType, long createRevision, long modRevision, long version) {
    }

    /** A listing: the entries under a prefix at {@code revision}. */
    record Listing(long revision, List<Entry> entries) {
    }

    /** Conditional headers: {@code If-Match: <revision>} / {@code *}, {@code If-None-Match: *}. */
    record Condition(Long ifMatch, boolean ifMatchAny, boolean ifNoneMatchAny) {
        static final Condition NONE = new Condition(null, false, false);

        List<Compare> compares(byte[] key) {
            List<Compare> c = new ArrayList<>();
            if (ifMatch != null) {
                c.add(new Compare(Compare.Result.EQUAL, Compare.Target.MOD, key, Bytes.EMPTY, ifMatch, null));
            }
            if (ifMatchAny) {
                c.add(new Compare(Compare.Result.GREATER, Compare.Target.VERSION, key, Bytes.EMPTY, 0, null));
            }
            if (ifNoneMatchAny) {
                c.add(new Compare(Compare.Result.EQUAL, Compare.Target.VERSION, key, Bytes.EMPTY, 0, null));
            }
            return c;
        }
    }

    /** A condition did not hold; {@code currentRevision} is the key's mod revision now (0: absent). */
    public static final class PreconditionFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final long currentRevision;

        PreconditionFailed(long currentRevision) {
            super("precondition failed: the value's revision is " + currentRevision, null, false, false);
            this.currentRevision = currentRevision;
        }
    }

    /** The result of a write: the store revision it made and whether it created the value. */
    record Written(long revision, boolean created) {
    }

    Entry get(String path, long revision) {
        Listing l = read(ConfigKeys.value(path), Bytes.EMPTY, ConfigKeys.type(path), Bytes.EMPTY, revision);
        return l.entries().isEmpty() ? null : l.entries().get(0);
    }

    Listing list(String prefix, long revision) {
        byte[] values = ConfigKeys.value(prefix);
        byte[] types = ConfigKeys.type(prefix);
        return read(values, ConfigKeys.end(values), types, ConfigKeys.end(types), revision);
    }

    private Listing read(byte[] key, byte[] end, byte[] typeKey, byte[] typeEnd, long revision) {
        RangeResponse values = call(server.range(range(key, end, revision)));
        long at = revision == 0 ? values.revision() : revision;
        Map<String, String> typeByPath = new HashMap<>();
        for (KeyValue t : call(server.range(range(typeKey, typeEnd, at))).kvs()) {
            String k = new String(t.key(), StandardCharsets.UTF_8);
            typeByPath.put(k.substring(ConfigKeys.TYPES.length()), new String(t.value(), StandardCharsets.UTF_8));
        }
        List<Entry> entries = new ArrayList<>();
        for (KeyValue kv : values.kvs()) {
            String path = ConfigKeys.path(kv.key());
            entries.add(new Entry(path, kv.value(), typeByPath.getOrDefault(path, ConfigKeys.DEFAULT_TYPE),
                    kv.createRevision(), kv.modRevision(), kv.version()));
        }
        return new Listing(values.revision(), entries);
    }

    /**
     * Refuses, as the member refuses the caller's read, a value or tree the caller may not read (a count-only
     * serializable range: no values are read).
     */
    void checkReadable(String path, boolean tree) {
        byte[] key = ConfigKeys.value(path);
        call(server.range(new RangeRequest(key, tree ? ConfigKeys.end(key) : Bytes.EMPTY, 0, 0, RangeRequest.SortOrder.NONE,
                RangeRequest.SortTarget.KEY, true, false, true, 0, 0, 0, 0)));
    }

    private static RangeRequest range(byte[] key, byte[] end, long revision) {
        return new RangeRequest(key, end, 0, revision, RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY,
                false, false, false, 0, 0, 0, 0);
    }

    Written put(String path, byte[] value, String contentType, Condition condition) throws PreconditionFailed {
        byte[] key = ConfigKeys.value(path);
        List<RequestOp> success = new ArrayList<>();
        success.add(RequestOp.put(new PutRequest(key, value, 0, true, false, false)));
        success.add(typeOp(path, contentType));
        TxnResponse r = conditional(key, condition, success);
        return new Written(r.revision(), r.responses().get(0).put().prevKv() == null);
    }

    /** Deletes one value (and its type); 0 if there was none. */
    long delete(String path, Condition condition) throws PreconditionFailed {
        byte[] key = ConfigKeys.value(path);
        TxnResponse r = conditional(key, condition, List.of(
                RequestOp.delete(new DeleteRangeRequest(key, Bytes.EMPTY, false)),
                RequestOp.delete(new DeleteRangeRequest(ConfigKeys.type(path), Bytes.EMPTY, false))));
        return r.responses().get(0).delete().deleted();
    }

    /** Deletes a whole tree (values and types) in one transaction; the number of values deleted. */
    long deleteTree(String prefix) {
        byte[] values = ConfigKeys.value(prefix);
        byte[] types = ConfigKeys.type(prefix);
        TxnResponse r = call(server.txn(new TxnRequest(List.of(), List.of(
                RequestOp.delete(new DeleteRangeRequest(values, ConfigKeys.end(values), false)),
                RequestOp.delete(new DeleteRangeRequest(types, ConfigKeys.end(types), false))), List.of())));
        return r.responses().get(0).delete().deleted();
    }

    /**
     * Replaces the tree under {@code prefix} by {@code values} (path relative to the prefix -> text) in one
     * transaction: values not in the map are deleted, every value becomes text/plain. The transaction
     * holds only if nothing under the prefix changed since it was read; else it is read again.
     */
    long replaceTree(String prefix, Map<String, byte[]> values) {
        byte[] valuePrefix = ConfigKeys.value(prefix);
        byte[] typePrefix = ConfigKeys.type(prefix);
        for (int attempt = 0; attempt < BULK_ATTEMPTS; attempt++) {
            Listing current = list(prefix, 0);
            List<RequestOp> ops = new ArrayList<>();
            for (Entry e : current.entries()) {
                String relative = e.path().substring(prefix.length());
                if (!values.containsKey(relative)) {
                    ops.add(RequestOp.delete(new DeleteRangeRequest(ConfigKeys.value(e.path()), Bytes.EMPTY, false)));
                }
                if (!e.contentType().equals(ConfigKeys.DEFAULT_TYPE)) {
                    ops.add(RequestOp.delete(new DeleteRangeRequest(ConfigKeys.type(e.path()), Bytes.EMPTY, false)));
                }
            }
            values.forEach((relative, value) -> ops.add(RequestOp.put(PutRequest.of(ConfigKeys.value(prefix + relative), value))));
            long next = current.revision() + 1;
            List<Compare> unchanged = List.of(
                    new Compare(Compare.Result.LESS, Compare.Target.MOD, valuePrefix, ConfigKeys.end(valuePrefix), next, null),
                    new Compare(Compare.Result.LESS, Compare.Target.MOD, typePrefix, ConfigKeys.end(typePrefix), next, null));
            TxnResponse r = call(server.txn(new TxnRequest(unchanged, ops, List.of())));
            if (r.succeeded()) {
                return r.revision();
            }
        }
        throw new EtcdException(EtcdError.TOO_MANY_REQUESTS);
    }

    private RequestOp typeOp(String path, String contentType) {
        return contentType == null || contentType.equals(ConfigKeys.DEFAULT_TYPE)
                ? RequestOp.delete(new DeleteRangeRequest(ConfigKeys.type(path), Bytes.EMPTY, false))
                : RequestOp.put(PutRequest.of(ConfigKeys.type(path), contentType.getBytes(StandardCharsets.UTF_8)));
    }

    private TxnResponse conditional(byte[] key, Condition condition, List<RequestOp> success) throws PreconditionFailed {
        List<RequestOp> failure = List.of(RequestOp.range(range(key, Bytes.EMPTY, 0)));
        TxnResponse r = call(server.txn(new TxnRequest(condition.compares(key), success, failure)));
        if (!r.succeeded()) {
            List<KeyValue> kvs = r.responses().get(0).range().kvs();
            throw new PreconditionFailed(kvs.isEmpty() ? 0 : kvs.get(0).modRevision());
        }
        return r;
    }

    /**
     * Flattens a JSON tree into relative paths, in order: strings as they are, numbers and booleans as their
     * JSON text (123456789012345678901234567890 stays that, not a double), arrays as JSON; nulls are skipped.
     */
    static Map<String, byte[]> flatten(JsonObject tree) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        flatten("", tree, out);
        return out;
    }

    private static void flatten(String at, JsonObject tree, Map<String, byte[]> out) {
        for (Map.Entry<String, JsonElement> member : tree.entrySet()) {
            String name = member.getKey();
            JsonElement value = member.getValue();
            ConfigKeys.checkPath(at + name);
            if (name.contains("/")) {
                throw new IllegalArgumentException("bad name '" + name + "': nest objects instead of '/' in names");
            }
            if (value.isJsonObject()) {
                flatten(at + name + "/", value.getAsJsonObject(), out);
            } else if (value.isJsonPrimitive()) {
                out.put(at + name, value.getAsString().getBytes(StandardCharsets.UTF_8));
            } else if (value.isJsonArray()) {
                out.put(at + name, value.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static <T> T call(CompletableFuture<T> future) {
        return ServerCall.await(future);
    }
}
