package org.ketcd.grpc;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.ketcd.api.Event;

/**
 * Converts each applied event to its protobuf form once, however many watchers receive it. The watch
 * hub hands the same {@link Event} instance to every watcher whose range covers the key, so the
 * conversion (a protobuf KeyValue and copies of key and value) is remembered by identity in a small
 * direct-mapped table: with 100 watchers of one key this is one conversion instead of 100 (the
 * conversions were the largest allocation site of the watch path, and the garbage its p99 latency).
 *
 * <p>Bounded: {@value #SLOTS} slots, each holding the latest event mapped to it; a collision only
 * costs a conversion. Lock-free: a slot is replaced as a whole, a racing reader sees the old or the
 * new pair, both correct.
 */
final class ProtoEventCache {
    /** Slots (a power of two): events of the last revisions that may still be in flight to watchers. */
    static final int SLOTS = 1024;

    private record Converted(Event event, io.etcd.jetcd.api.Event proto) {
    }

    private final AtomicReferenceArray<Converted> slots = new AtomicReferenceArray<>(SLOTS);

    /** The protobuf form of {@code e}; events carrying a watcher's own previous key-value are not cached. */
    io.etcd.jetcd.api.Event proto(Event e) {
        if (e.prevKv() != null) {
            return WatchMessages.event(e);
        }
        int slot = System.identityHashCode(e) & (SLOTS - 1);
        Converted c = slots.get(slot);
        if (c != null && c.event() == e) {
            return c.proto();
        }
        io.etcd.jetcd.api.Event proto = WatchMessages.event(e);
        slots.set(slot, new Converted(e, proto));
        return proto;
    }
}
