package org.ketcd.camel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.DeleteRangeResponse;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.PutResponse;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;

/**
 * Writes into (or reads from) Ketcd for a route, e.g. a broker message that updates a configuration key.
 * The action comes from header {@link KetcdConstants#ACTION} or the endpoint's {@code action}; the key is the
 * endpoint's path ({@code toD} computes one per message). A refusal (etcd's error, e.g. request too large)
 * fails the exchange with etcd's message.
 */
public class KetcdProducer extends DefaultProducer {
    /** What the producer does with a message. */
    enum Action {
        PUT, GET, DELETE, TXN_PUT_IF_VERSION;

        static Action parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ketcd: action must be put, get, delete or txn-put-if-version, was: " + name);
            }
        }
    }

    private final KetcdEndpoint endpoint;
    private final EtcdServer server;

    KetcdProducer(KetcdEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
        this.server = endpoint.server();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getIn();
        String actionName = in.getHeader(KetcdConstants.ACTION, endpoint.getAction(), String.class);
        // the key is the endpoint's path only: a KetcdKey header from a ketcd: consumer must not redirect
        // the write (use toD for keys computed per message)
        byte[] key = endpoint.getPath().getBytes(endpoint.textCharset());
        byte[] end = endpoint.isPrefix() ? org.ketcd.api.Bytes.prefixEnd(key) : org.ketcd.api.Bytes.EMPTY;
        switch (Action.parse(actionName)) {
            case PUT -> {
                PutResponse r = await(server.put(new PutRequest(key, value(exchange), lease(in), false, false, false)));
                in.setHeader(KetcdConstants.REVISION, r.revision());
            }
            case GET -> get(exchange, key, end);
            case DELETE -> {
                DeleteRangeResponse r = await(server.deleteRange(new DeleteRangeRequest(key, end, false)));
                in.setHeader(KetcdConstants.REVISION, r.revision());
                in.setHeader(KetcdConstants.DELETED, r.deleted());
            }
            case TXN_PUT_IF_VERSION -> {
                Long expected = in.getHeader(KetcdConstants.EXPECTED_VERSION, Long.class);
                if (expected == null) {
                    throw new IllegalArgumentException("ketcd: txn-put-if-version needs header "
                            + KetcdConstants.EXPECTED_VERSION + " (0 = the key must not exist)");
                }
                TxnRequest txn = new TxnRequest(
                        List.of(new Compare(Compare.Result.EQUAL, Compare.Target.VERSION, key, org.ketcd.api.Bytes.EMPTY, expected, null)),
                        List.of(RequestOp.put(new PutRequest(key, value(exchange), lease(in), false, false, false))),
                        List.of());
                TxnResponse r = await(server.txn(txn));
                in.setHeader(KetcdConstants.REVISION, r.revision());
                in.setHeader(KetcdConstants.SUCCEEDED, r.succeeded());
            }
        }
    }

    /** One key: body = its value (null if absent); with {@code prefix=true}: body = a map key -> value in key order. */
    private void get(Exchange exchange, byte[] key, byte[] end) throws Exception {
        Message in = exchange.getIn();
        RangeResponse r = await(server.range(RangeRequest.of(key, end)));
        in.setHeader(KetcdConstants.REVISION, r.revision());
        if (endpoint.isPrefix()) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (KeyValue kv : r.kvs()) {
                values.put(new String(kv.key(), endpoint.textCharset()), text(kv.value()));
            }
            in.setBody(values);
            in.setHeader(KetcdConstants.SUCCEEDED, !values.isEmpty());
            return;
        }
        if (r.kvs().isEmpty()) {
            in.setBody(null);
            in.setHeader(KetcdConstants.SUCCEEDED, false);
            return;
        }
        KeyValue kv = r.kvs().get(0);
        in.setBody(text(kv.value()));
        in.setHeader(KetcdConstants.SUCCEEDED, true);
        in.setHeader(KetcdConstants.CREATE_REVISION, kv.createRevision());
        in.setHeader(KetcdConstants.MOD_REVISION, kv.modRevision());
        in.setHeader(KetcdConstants.VERSION, kv.version());
        in.setHeader(KetcdConstants.LEASE, kv.lease());
    }

    private Object text(byte[] value) {
        return endpoint.bodyAsText() ? new String(value, endpoint.textCharset()) : value;
    }

    /** The body as bytes: a String in the endpoint's charset (UTF-8 by default), else Camel's conversion. */
    private byte[] value(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        if (body == null) {
            return new byte[0];
        }
        if (body instanceof String s) {
            return s.getBytes(endpoint.textCharset());
        }
        byte[] bytes = exchange.getIn().getBody(byte[].class);
        if (bytes == null) {
            throw new IllegalArgumentException("ketcd: cannot write a body of type " + body.getClass().getName()
                    + " as a value; convert it to a String or byte[] first");
        }
        return bytes;
    }

    private static long lease(Message in) {
        Long lease = in.getHeader(KetcdConstants.LEASE, Long.class);
        return lease == null ? 0 : lease;
    }

    /** The answer, or etcd's refusal as the exception (not wrapped). */
    private static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(KetcdEndpoint.REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
