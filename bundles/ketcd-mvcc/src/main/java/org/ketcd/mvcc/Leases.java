package org.ketcd.mvcc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.ketcd.api.Bytes;

/**
 * The replicated part of etcd's lessor, kept by the store: which leases are granted (with their TTL)
 * and which live keys each one holds. Whether a lease has expired is not here: only the leader's
 * clock decides that, and it revokes the lease through Raft. Guarded by the store's lock.
 */
final class Leases {
    private final Map<Long, Long> ttls = new HashMap<>();
    private final Map<Long, TreeSet<byte[]>> keys = new HashMap<>();

    boolean exists(long id) {
        return ttls.containsKey(id);
    }

    /** True when no lease is granted, so no live key can hold one. */
    boolean isEmpty() {
        return ttls.isEmpty();
    }

    void grant(long id, long ttl) {
        ttls.put(id, ttl);
    }

    /** Forgets the lease; returns the keys it held, in key order. */
    List<byte[]> remove(long id) {
        ttls.remove(id);
        TreeSet<byte[]> held = keys.remove(id);
        return held == null ? List.of() : new ArrayList<>(held);
    }

    /** A live version of {@code key} moved from lease {@code from} to lease {@code to} (0: none). */
    void move(byte[] key, long from, long to) {
        if (from == to) {
            return;
        }
        if (from != 0) {
            TreeSet<byte[]> held = keys.get(from);
            if (held != null) {
                held.remove(key);
            }
        }
        if (to != 0 && ttls.containsKey(to)) {
            keys.computeIfAbsent(to, id -> new TreeSet<>(Bytes::compare)).add(key);
        }
    }

    List<byte[]> keys(long id) {
        TreeSet<byte[]> held = keys.get(id);
        return held == null ? List.of() : new ArrayList<>(held);
    }

    Map<Long, Long> ttls() {
        return Map.copyOf(ttls);
    }

    void clear() {
        ttls.clear();
        keys.clear();
    }
}
