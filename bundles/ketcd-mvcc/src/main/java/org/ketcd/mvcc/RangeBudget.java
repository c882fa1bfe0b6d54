package org.ketcd.mvcc;

import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.KeyValue;

/**
 * The most bytes of key-values one read answer may carry, counted as they are encoded on the wire (etcd's
 * {@code mvccpb.KeyValue} in a {@code RangeResponse}). A range is refused with grpc's "larger than max" error
 * as soon as what it gathered passes the limit, so a range over more data than the heap holds is refused
 * before it is built instead of running the member out of memory.
 */
final class RangeBudget {
    /** No bound: for write transactions, whose answers must be the same on every member whatever its heap. */
    static final long UNBOUNDED = Long.MAX_VALUE;

    private final long limit;
    private long used;

    RangeBudget(long limit) {
        this.limit = limit;
    }

    /** Counts one key-value of the answer; refuses the answer once it passes the limit. */
    void charge(KeyValue kv) {
        used += fieldSize(encodedSize(kv));
        if (used > limit) {
            throw new EtcdException(EtcdError.RESPONSE_TOO_LARGE,
                    EtcdError.RESPONSE_TOO_LARGE.message() + " (at least " + used + " vs. " + limit + ")");
        }
    }

    /** The size of a {@code mvccpb.KeyValue} in protobuf's encoding (fields 1-6, zero values omitted). */
    static long encodedSize(KeyValue kv) {
        return bytesField(kv.key()) + longField(kv.createRevision()) + longField(kv.modRevision())
                + longField(kv.version()) + bytesField(kv.value()) + longField(kv.lease());
    }

    /** A length-delimited field of {@code size} bytes with its one-byte tag. */
    private static long fieldSize(long size) {
        return 1 + varintSize(size) + size;
    }

    private static long bytesField(byte[] b) {
        return b == null || b.length == 0 ? 0 : fieldSize(b.length);
    }

    private static long longField(long v) {
        return v == 0 ? 0 : 1 + varintSize(v);
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
