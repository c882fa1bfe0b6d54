package org.ketcd.raft;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which refusals were logged lately: the same one (a key) is logged again only after an interval, so a refused
 * member that keeps dialing leaves one line a minute, not one per attempt. Remembers at most {@link #MAX_KEYS} keys.
 */
final class RejectionLog {
    static final int MAX_KEYS = 256;

    private final long intervalNanos;
    private final Map<String, Long> lastLogged = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_KEYS;
        }
    };

    RejectionLog(long intervalMs) {
        this.intervalNanos = intervalMs * 1_000_000L;
    }

    /** Whether a refusal with this key is to be logged now (and if so, counts it as logged). */
    synchronized boolean shouldLog(String key) {
        long now = System.nanoTime();
        Long last = lastLogged.get(key);
        if (last != null && now - last < intervalNanos) {
            return false;
        }
        lastLogged.put(key, now);
        return true;
    }
}
