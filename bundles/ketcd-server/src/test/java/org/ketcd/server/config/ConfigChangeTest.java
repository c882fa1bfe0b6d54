package org.ketcd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an edit of etc/org.ketcd.server.cfg changes for a running member, in etcd's precedence. */
class ConfigChangeTest {
    private static ServerConfig resolve(String[] flags, Map<String, String> cfg) throws ConfigException {
        return ServerConfig.resolve(flags, Map.of(), cfg);
    }

    @Test
    void theLogLevelQuotaAndAutoCompactionApplyAtOnceAndEverythingElseAtTheNextStart() throws Exception {
        ServerConfig before = resolve(new String[0], Map.of());
        ServerConfig after = resolve(new String[0], Map.of("quota-backend-bytes", "4294967296", "log-level", "debug",
                "auto-compaction-retention", "1h", "heartbeat-interval", "200", "listen-client-urls", "http://127.0.0.1:3379",
                "advertise-client-urls", "http://127.0.0.1:3379"));
        ConfigChange change = ConfigChange.between(before, after);
        assertEquals(java.util.Set.of("auto-compaction-retention: 0 -> 1h", "quota-backend-bytes: 0 -> 4294967296",
                "log-level: info -> debug"), java.util.Set.copyOf(change.live()));
        assertTrue(change.logLevelChanged());
        assertEquals(3, change.needRestart().size(), change.needRestart().toString());
        assertTrue(change.needRestart().contains("heartbeat-interval: 100 -> 200"), change.needRestart().toString());
        assertTrue(change.needRestart().contains("listen-client-urls: http://localhost:2379 -> http://127.0.0.1:3379"),
                change.needRestart().toString());
    }

    @Test
    void aCfgEditThatAFlagOverridesChangesNothing() throws Exception {
        String[] flags = {"--quota-backend-bytes=1000000"};
        ConfigChange change = ConfigChange.between(resolve(flags, Map.of()), resolve(flags, Map.of("quota-backend-bytes", "5")));
        assertTrue(change.isEmpty(), change.toString());
        assertFalse(change.logLevelChanged());
    }

    @Test
    void theOlderDebugFlagIsALogLevelChange() throws Exception {
        ConfigChange change = ConfigChange.between(resolve(new String[0], Map.of()), resolve(new String[0], Map.of("debug", "true")));
        assertEquals(List.of("debug: false -> true"), change.live());
        assertTrue(change.logLevelChanged());
    }

    @Test
    void anEditWaitingForTheNextStartIsComparedWithTheRunningValueAndCanBeWithdrawn() throws Exception {
        ServerConfig started = resolve(new String[0], Map.of());
        ServerConfig first = resolve(new String[0], Map.of("heartbeat-interval", "200"));
        ServerConfig second = resolve(new String[0], Map.of("heartbeat-interval", "150"));
        assertEquals(List.of("heartbeat-interval: 100 -> 150"), ConfigChange.between(started, first, second).needRestart(),
                "the member still runs with 100, whatever the edit before said");
        ConfigChange back = ConfigChange.between(started, second, started);
        assertEquals(List.of(), back.needRestart());
        assertEquals(List.of("heartbeat-interval: 100"), back.withdrawn());
        assertFalse(back.isEmpty());
    }
}
