package org.ketcd.server.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a new resolution of a running member's configuration changes (its flags, {@code ETCD_*} and
 * {@code etc/org.ketcd.server.cfg}, in etcd's precedence: a cfg edit that a flag overrides changes nothing), split into
 * what the member applies at once and what waits for its next start. Applied at once: the log level, the backend
 * quota and auto-compaction. Everything else (URLs, data dir, Raft timings, TLS, ...) is read once at start, as etcd
 * reads its flags.
 *
 * @param live        changed settings the member applies at once, each as "flag: before -> after"
 * @param needRestart changed settings that take effect at the member's next start, alike
 */
public record ConfigChange(List<String> live, List<String> needRestart) {
    static final Set<Flag> LIVE = EnumSet.of(Flag.LOG_LEVEL, Flag.DEBUG, Flag.QUOTA_BACKEND_BYTES,
            Flag.AUTO_COMPACTION_MODE, Flag.AUTO_COMPACTION_RETENTION);

    public static ConfigChange between(ServerConfig before, ServerConfig after) {
        List<String> live = new ArrayList<>();
        List<String> needRestart = new ArrayList<>();
        for (Flag f : Flag.values()) {
            String was = before.value(f);
            String is = after.value(f);
            if (!was.equals(is)) {
                (LIVE.contains(f) ? live : needRestart).add(f.flagName + ": " + show(was) + " -> " + show(is));
            }
        }
        return new ConfigChange(List.copyOf(live), List.copyOf(needRestart));
    }

    private static String show(String value) {
        return value.isEmpty() ? "\"\"" : value;
    }

    public boolean isEmpty() {
        return live.isEmpty() && needRestart.isEmpty();
    }

    /** Whether the log level ({@code --log-level} or {@code --debug}) changed. */
    public boolean logLevelChanged() {
        return live.stream().anyMatch(c -> c.startsWith(Flag.LOG_LEVEL.flagName + ":") || c.startsWith(Flag.DEBUG.flagName + ":"));
    }
}
