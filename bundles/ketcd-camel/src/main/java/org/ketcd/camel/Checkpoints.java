package org.ketcd.camel;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's checkpoint: the last revision it delivered completely, kept in Ketcd under
 * {@code __ketcd/camel/checkpoints/<id>} (a decimal number), so any member's copy of the route resumes
 * after it. Writes are coalesced: at most one per interval while events flow, always one on close; a
 * checkpoint only ever names a revision whose exchanges all succeeded, so resuming after it skips nothing.
 * Used by one consumer thread only.
 */
public final class Checkpoints {
    static final String PREFIX = KetcdConstants.RESERVED_PREFIX + "camel/checkpoints/";
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

    private final EtcdServer server;
    private final byte[] key;
    private final long intervalNanos;
    private long delivered;
    private long written;
    private long lastWriteNanos;

    Checkpoints(EtcdServer server, String id, long intervalMs) {
        this.server = server;
        this.key = (PREFIX + id).getBytes(StandardCharsets.UTF_8);
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    }

    static String keyOf(String id) {
        return PREFIX + id;
    }

    /**
     * Every route's stored checkpoint, by checkpoint id, as this member's copy holds it (a serializable read: it
     * answers at once, also on a member without a leader, for monitoring).
     */
    public static java.util.Map<String, Long> all(EtcdServer server) throws Exception {
        byte[] prefix = PREFIX.getBytes(StandardCharsets.UTF_8);
        RangeResponse r = server.range(new RangeRequest(prefix, org.ketcd.api.Bytes.prefixEnd(prefix), 0, 0,
                        RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY, true, false, false, 0, 0, 0, 0))
                .get(KetcdEndpoint.REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        java.util.Map<String, Long> all = new java.util.HashMap<>();
        for (org.ketcd.api.KeyValue kv : r.kvs()) {
            try {
                all.put(new String(kv.key(), StandardCharsets.UTF_8).substring(PREFIX.length()),
                        Long.parseLong(new String(kv.value(), StandardCharsets.US_ASCII).trim()));
            } catch (NumberFormatException notARevision) {
                // such a checkpoint stops its route with a message when read; not one to report
            }
        }
        return all;
    }

    /** The checkpoint id of {@code route}: its ketcd: input's checkpointId option, else the route's id. */
    public static String idOf(org.apache.camel.Route route) {
        org.apache.camel.Endpoint input = route.getEndpoint();
        while (input instanceof org.apache.camel.DelegateEndpoint delegate && !(input instanceof KetcdEndpoint)) {
            input = delegate.getEndpoint();
        }
        if (input instanceof KetcdEndpoint ketcd && ketcd.getCheckpointId() != null) {
            return ketcd.getCheckpointId();
        }
        return route.getRouteId();
    }

    /** The stored revision, or 0 if this route has none (a linearizable read). */
    long read() throws Exception {
        RangeResponse r = server.range(RangeRequest.of(key, new byte[0]))
                .get(KetcdEndpoint.REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (r.kvs().isEmpty()) {
            return 0;
        }
        String text = new String(r.kvs().get(0).value(), StandardCharsets.US_ASCII).trim();
        try {
            long revision = Long.parseLong(text);
            delivered = written = revision;
            return revision;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("checkpoint " + new String(key, StandardCharsets.UTF_8)
                    + " holds no revision: '" + text + "'; delete it to start from fromRevision");
        }
    }

    /** Everything up to {@code revision} was delivered; writes it if the interval has passed. */
    void delivered(long revision) throws Exception {
        delivered = revision;
        if (System.nanoTime() - lastWriteNanos >= intervalNanos) {
            flush();
        }
    }

    /** Writes the last delivered revision if it is newer than the stored one (waits for the write). */
    void flush() throws Exception {
        if (delivered > written) {
            long revision = delivered;
            server.put(PutRequest.of(key, Long.toString(revision).getBytes(StandardCharsets.US_ASCII)))
                    .get(KetcdEndpoint.REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            written = revision;
            lastWriteNanos = System.nanoTime();
            LOG.debug("checkpoint {} = {}", new String(key, StandardCharsets.UTF_8), revision);
        }
    }

    long delivered() {
        return delivered;
    }
}
