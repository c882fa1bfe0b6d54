package org.ketcd.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.api.EtcdException;
import org.ketcd.mvcc.MvccStore;

/**
 * What only the leader's lessor can answer - a keep-alive and a lease's remaining time - asked by any
 * member through Raft (etcd's followers forward these to their leader too). The encoding is private
 * to this class and never persisted: a query and its answer travel once, between two members.
 */
final class LeaseQueries {
    private static final byte KEEP_ALIVE = 1;
    private static final byte TIME_TO_LIVE = 2;
    private static final byte TIME_TO_LIVE_WITH_KEYS = 3;

    private static final byte OK = 0;
    private static final byte NOT_FOUND = 1;
    /** The member asked is not the leader (any more): the asker retries. */
    private static final byte NOT_PRIMARY = 2;

    /** An answer: remaining (or renewed) TTL, granted TTL and keys; {@code ttl} -1 when the lease does not exist. */
    record Answer(long ttl, long grantedTtl, List<byte[]> keys) {
    }

    /** Thrown on the asking member when the member it reached does not lead any more. */
    static final class NotPrimaryException extends RuntimeException {
        NotPrimaryException() {
            super("the member asked does not lead", null, false, false);
        }
    }

    private LeaseQueries() {
    }

    static byte[] keepAlive(long id) {
        return query(KEEP_ALIVE, id);
    }

    static byte[] timeToLive(long id, boolean keys) {
        return query(keys ? TIME_TO_LIVE_WITH_KEYS : TIME_TO_LIVE, id);
    }

    /** Answers a query on the leader; runs on a Ratis thread, so it only reads memory. */
    static byte[] answer(byte[] query, Lessor lessor, MvccStore store) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(query))) {
            byte kind = in.readByte();
            long id = in.readLong();
            if (!lessor.isPrimary()) {
                return encode(NOT_PRIMARY, null);
            }
            if (kind == KEEP_ALIVE) {
                try {
                    long ttl = lessor.renew(id);
                    return encode(OK, new Answer(ttl, ttl, List.of()));
                } catch (EtcdException notFound) {
                    return encode(NOT_FOUND, null);
                }
            }
            long remaining = lessor.remainingSeconds(id);
            if (remaining < 0) {
                return encode(NOT_FOUND, null);
            }
            List<byte[]> keys = kind == TIME_TO_LIVE_WITH_KEYS ? store.leaseKeys(id) : List.of();
            return encode(OK, new Answer(remaining, lessor.grantedTtl(id), keys));
        } catch (IOException e) {
            throw new UncheckedIOException("malformed lease query", e);
        }
    }

    /**
     * The answer to a query, on the asking member: null when the lease does not exist;
     * {@link NotPrimaryException} when the member reached no longer leads.
     */
    static Answer decode(byte[] answer) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer))) {
            byte status = in.readByte();
            if (status == NOT_PRIMARY) {
                throw new NotPrimaryException();
            }
            if (status == NOT_FOUND) {
                return null;
            }
            long ttl = in.readLong();
            long granted = in.readLong();
            int n = in.readInt();
            List<byte[]> keys = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] key = new byte[in.readInt()];
                in.readFully(key);
                keys.add(key);
            }
            return new Answer(ttl, granted, keys);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed lease answer", e);
        }
    }

    private static byte[] query(byte kind, long id) {
        return write(out -> {
            out.writeByte(kind);
            out.writeLong(id);
        });
    }

    private static byte[] encode(byte status, Answer a) {
        return write(out -> {
            out.writeByte(status);
            if (a != null) {
                out.writeLong(a.ttl());
                out.writeLong(a.grantedTtl());
                out.writeInt(a.keys().size());
                for (byte[] key : a.keys()) {
                    out.writeInt(key.length);
                    out.write(key);
                }
            }
        });
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

}
