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
 * @param needRestart changed settings that take effect at the member's next start, each as "flag: running value ->
 *                    value at the next start"
 * @param withdrawn   settings an earlier edit had changed for the next start and this one set back to the value the
 *                    member runs with, each as "flag: value"
 */
public record ConfigChange(List<String> live, List<String> needRestart, List<String> withdrawn) {
    static final Set<Flag> LIVE = EnumSet.of(Flag.LOG_LEVEL, Flag.DEBUG, Flag.QUOTA_BACKEND_BYTES,
            Flag.AUTO_COMPACTION_MODE, Flag.AUTO_COMPACTION_RETENTION);

    /** The change from {@code before} to {@code after} of a member that still runs with what it started with. */
    public static ConfigChange between(ServerConfig before, ServerConfig after) {
        return between(before, before, after);
    }

    /**
     * The change from the last resolution {@code before} to {@code after}, for a member that started with
     * {@code started}: live settings are compared with {@code before} (the member runs with them), the others with
     * {@code started} (the member runs with those until its next start).
     */
    public static ConfigChange between(ServerConfig started, ServerConfig before, ServerConfig after) {
        List<String> live = new ArrayList<>();
        List<String> needRestart = new ArrayList<>();
        List<String> withdrawn = new ArrayList<>();
        for (Flag f : Flag.values()) {
            String was = before.value(f);
            String is = after.value(f);
            if (was.equals(is)) {
                continue;
            }
            String running = started.value(f);
            if (LIVE.contains(f)) {
                live.add(f.flagName + ": " + show(was) + " -> " + show(is));
            } else if (running.equals(is)) {
                withdrawn.add(f.flagName + ": " + show(running));
            } else {
                needRestart.add(f.flagName + ": " + show(running) + " -> " + show(is));
            }
        }
        return new ConfigChange(List.copyOf(live), List.copyOf(needRestart), List.copyOf(withdrawn));
    }

    private static String show(String value) {
        return value.isEmpty() ? "\"\"" : value;
    }

    public boolean isEmpty() {
        return live.isEmpty() && needRestart.isEmpty() && withdrawn.isEmpty();
    }

    /** Whether the log level ({@code --log-level} or {@code --debug}) changed. */
    public boolean logLevelChanged() {
        return live.stream().anyMatch(c -> c.startsWith(Flag.LOG_LEVEL.flagName + ":") || c.startsWith(Flag.DEBUG.flagName + ":"));
    }
}
