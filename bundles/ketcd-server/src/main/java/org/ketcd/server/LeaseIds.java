package org.ketcd.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lease ids for grants that leave the id to the server, built as etcd's request id generator: the low
 * 16 bits of the member id, then the low 40 bits of the start time in milliseconds and an 8-bit
 * counter that carries into the time bits. So ids from different members, or from one member
 * restarted, do not collide in practice; a collision would be refused with "lease already exists".
 */
final class LeaseIds {
    private static final int COUNTER_BITS = 8;
    private static final int TIME_BITS = 40;
    private static final long SUFFIX_MASK = (1L << (TIME_BITS + COUNTER_BITS)) - 1;

    private final long prefix;
    private final AtomicLong suffix;

    LeaseIds(long memberId, long nowMillis) {
        this.prefix = (memberId & 0xffffL) << (TIME_BITS + COUNTER_BITS);
        this.suffix = new AtomicLong((nowMillis & ((1L << TIME_BITS) - 1)) << COUNTER_BITS);
    }

    /** The next id: positive, never 0 (0 means "no lease"). */
    long next() {
        long id;
        do {
            id = (prefix | (suffix.incrementAndGet() & SUFFIX_MASK)) & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }
}
