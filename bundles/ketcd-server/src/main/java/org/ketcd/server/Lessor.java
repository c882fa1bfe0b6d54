package org.ketcd.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ketcd.api.EtcdError;
import org.ketcd.api.LeaseGrantResponse;
import org.ketcd.mvcc.MvccStore;

/**
 * etcd's lessor: the leader's clock over the leases the store holds. Grants and revokes are applied
 * through Raft on every member alike (the store keeps id, TTL and keys); only the leader ("primary")
 * runs deadlines, renews them on keep-alive and finds the expired ones, which it then revokes through
 * Raft, so every member deletes the same keys in the same revision. Followers hold every lease
 * forever; a member that becomes leader gives every lease its full TTL plus an election timeout, so
 * that a leader change never expires a lease early (etcd's Promote with extend).
 */
final class Lessor {
    /** etcd's MaxLeaseTTL: longer TTLs are refused with "too large lease TTL". */
    static final long MAX_TTL_SECONDS = 9_000_000_000L;
    private static final long NEVER = Long.MAX_VALUE;

    /** A granted lease: its TTL in seconds and, on the primary, its deadline in System.nanoTime(). */
    private static final class Clock {
        final long ttl;
        volatile long deadline;

        Clock(long ttl, long deadline) {
            this.ttl = ttl;
            this.deadline = deadline;
        }
    }

    private final MvccStore store;
    private final long minTtl;
    private final Map<Long, Clock> leases = new ConcurrentHashMap<>();
    private volatile boolean primary;
    private final java.util.concurrent.atomic.LongAdder granted = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder revoked = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder renewed = new java.util.concurrent.atomic.LongAdder();
    private final org.ketcd.api.DurationHistogram grantedTtls = org.ketcd.api.DurationHistogram.forLeaseTtls();

    Lessor(MvccStore store, long minTtlSeconds) {
        this.store = store;
        this.minTtl = minTtlSeconds;
        reload();
    }

    /**
     * etcd's minimum lease TTL: one and a half election timeouts, rounded up to whole seconds
     * (2 s with the default 100 ms heartbeat and 1000 ms election timeout), so that a lease cannot
     * expire while a new leader is being elected.
     */
    static long minTtlSeconds(int electionTimeoutMs, int heartbeatIntervalMs) {
        long electionTicks = electionTimeoutMs / heartbeatIntervalMs;
        long ms = (3 * electionTicks / 2) * heartbeatIntervalMs;
        return (ms + 999) / 1000;
    }

    // ---- applied through Raft, on the apply thread

    synchronized LeaseGrantResponse grant(long id, long ttl) {
        if (ttl > MAX_TTL_SECONDS) {
            throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
        }
        long effective = Math.max(ttl, minTtl);
        store.grantLease(id, effective);
        leases.put(id, new Clock(effective, primary ? deadlineAfter(effective, 0) : NEVER));
        granted.increment();
        grantedTtls.observe(java.util.concurrent.TimeUnit.SECONDS.toNanos(effective));
        return new LeaseGrantResponse(store.currentRevision(), id, effective);
    }

    /** Deletes the lease's keys in one revision; returns the revision after. */
    long revoke(long id) {
        long revision = store.revokeLease(id);
        leases.remove(id);
        revoked.increment();
        return revision;
    }

    /** Rebuilds the clocks from the store, after it was replaced by a snapshot from the leader. */
    synchronized void reload() {
        leases.clear();
        store.leases().forEach((id, ttl) -> leases.put(id, new Clock(ttl, primary ? deadlineAfter(ttl, 0) : NEVER)));
    }

    // ---- the leader's clock

    /** This member became leader: every lease gets its full TTL plus {@code extendMs}. */
    synchronized void promote(long extendMs) {
        primary = true;
        for (Clock c : leases.values()) {
            c.deadline = deadlineAfter(c.ttl, extendMs);
        }
    }

    /** This member is no longer leader: its clocks stop; the new leader's count. */
    synchronized void demote() {
        primary = false;
        for (Clock c : leases.values()) {
            c.deadline = NEVER;
        }
    }

    boolean isPrimary() {
        return primary;
    }

    /**
     * A keep-alive on the primary: the lease's deadline moves to now + TTL; returns the TTL.
     * {@link EtcdError#LEASE_NOT_FOUND} if it does not exist or has expired (its revocation is under way).
     */
    long renew(long id) {
        Clock c = leases.get(id);
        if (c == null || c.deadline - System.nanoTime() <= 0) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        c.deadline = deadlineAfter(c.ttl, 0);
        renewed.increment();
        return c.ttl;
    }

    /** What this lessor counted since the member started (etcd's lease metrics). */
    org.ketcd.api.LeaseCounts counts() {
        return new org.ketcd.api.LeaseCounts(granted.sum(), revoked.sum(), renewed.sum(), grantedTtls.snapshot());
    }

    /** Whole seconds left before the lease expires (as etcd truncates), or -1 if it does not exist. */
    long remainingSeconds(long id) {
        Clock c = leases.get(id);
        if (c == null) {
            return -1;
        }
        if (c.deadline == NEVER) {
            return c.ttl;
        }
        return Math.max(0, (c.deadline - System.nanoTime()) / 1_000_000_000L);
    }

    /** The TTL the lease was granted with, or -1 if it does not exist. */
    long grantedTtl(long id) {
        Clock c = leases.get(id);
        return c == null ? -1 : c.ttl;
    }

    /** Up to {@code limit} leases whose deadline passed; empty unless this member is primary. */
    List<Long> expired(int limit) {
        List<Long> out = new ArrayList<>();
        if (!primary) {
            return out;
        }
        long now = System.nanoTime();
        for (Map.Entry<Long, Clock> e : leases.entrySet()) {
            if (out.size() >= limit) {
                break;
            }
            if (e.getValue().deadline != NEVER && e.getValue().deadline - now <= 0) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Ids of all granted leases, soonest to expire first as etcd lists them (by id where deadlines tie). */
    List<Long> ids() {
        // Deadlines move under keep-alives while we sort: sort a copy taken once, or the order is inconsistent.
        record Due(long id, long deadline) {
        }
        return leases.entrySet().stream().map(e -> new Due(e.getKey(), e.getValue().deadline))
                .sorted(java.util.Comparator.comparingLong(Due::deadline).thenComparingLong(Due::id))
                .map(Due::id).toList();
    }

    private static long deadlineAfter(long ttlSeconds, long extendMs) {
        return System.nanoTime() + ttlSeconds * 1_000_000_000L + extendMs * 1_000_000L;
    }
}
