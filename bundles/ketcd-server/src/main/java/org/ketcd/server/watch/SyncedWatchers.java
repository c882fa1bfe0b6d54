package org.ketcd.server.watch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The watchers that take events as they are applied (etcd's synced watcherGroup), found by key:
 * single-key watchers through a hash map, range watchers by a scan (a range watcher is rarer; an
 * interval tree would replace the scan if many were open at once).
 */
final class SyncedWatchers {
    private final Map<ByteBuffer, Set<Watcher>> byKey = new HashMap<>();
    private final Set<Watcher> ranges = new LinkedHashSet<>();

    void add(Watcher w) {
        if (w.request.isSingleKey()) {
            byKey.computeIfAbsent(ByteBuffer.wrap(w.request.key()), k -> new LinkedHashSet<>()).add(w);
        } else {
            ranges.add(w);
        }
    }

    void remove(Watcher w) {
        if (w.request.isSingleKey()) {
            ByteBuffer k = ByteBuffer.wrap(w.request.key());
            Set<Watcher> set = byKey.get(k);
            if (set != null && set.remove(w) && set.isEmpty()) {
                byKey.remove(k);
            }
        } else {
            ranges.remove(w);
        }
    }

    /** The watchers whose range covers {@code key}. */
    List<Watcher> covering(byte[] key) {
        List<Watcher> out = new ArrayList<>(byKey.getOrDefault(ByteBuffer.wrap(key), Set.of()));
        for (Watcher w : ranges) {
            if (w.request.covers(key)) {
                out.add(w);
            }
        }
        return out;
    }

    /** Removes and returns every watcher. */
    List<Watcher> drain() {
        List<Watcher> all = new ArrayList<>(ranges);
        byKey.values().forEach(all::addAll);
        byKey.clear();
        ranges.clear();
        return all;
    }
}
