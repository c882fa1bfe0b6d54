package org.ketcd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/ketcd --help}: every flag described, listed once in etcd's sections with its default and environment
 * variable, and {@code snapshot restore} described. A flag's entry is its line {@code "  --<flag> '<default>'"}.
 */
class FlagUsageTest {
    private static final List<String> LINES = Flag.usage().lines().toList();

    private static boolean isEntryOf(String line, Flag f) {
        return line.equals("  --" + f.flagName) || line.startsWith("  --" + f.flagName + " ");
    }

    private static int entryIndex(Flag f) {
        for (int i = 0; i < LINES.size(); i++) {
            if (isEntryOf(LINES.get(i), f)) {
                return i;
            }
        }
        throw new AssertionError("--" + f.flagName + " is not listed in the usage text");
    }

    @Test
    void everyFlagHasADescription() {
        for (Flag f : Flag.values()) {
            assertNotNull(f.help, "--" + f.flagName + " has no description");
            assertFalse(f.help.isBlank(), "--" + f.flagName + " has no description");
            assertFalse(f.help.contains("\n"), "--" + f.flagName + ": a description is one line");
        }
    }

    @Test
    void everyFlagIsListedOnceWithItsDefault() {
        for (Flag f : Flag.values()) {
            assertEquals(1, LINES.stream().filter(line -> isEntryOf(line, f)).count(), "entries of --" + f.flagName);
            String entry = LINES.get(entryIndex(f));
            if (f.defaultValue != null) {
                assertEquals("  --" + f.flagName + " '" + f.defaultValue + "'", entry);
            } else {
                assertTrue(entry.matches("  --" + f.flagName + " '.+'"), "a derived default is shown: " + entry);
            }
        }
        assertEquals(Flag.values().length, LINES.stream().filter(line -> line.startsWith("  --")).count(),
                "an entry for each flag and nothing else");
    }

    @Test
    void derivedDefaultsAreShownAsEtcdShowsThem() {
        assertEquals("  --data-dir '${name}.etcd'", LINES.get(entryIndex(Flag.DATA_DIR)));
        assertEquals("  --initial-cluster '${name}=${initial-advertise-peer-urls}'", LINES.get(entryIndex(Flag.INITIAL_CLUSTER)));
    }

    @Test
    void theDescriptionFollowsTheEntryWithTheEnvironmentVariableAndAnyReasonForNoEffect() {
        for (Flag f : Flag.values()) {
            int i = entryIndex(f);
            assertEquals("    " + f.help + " (env " + f.envName() + ")", LINES.get(i + 1));
            if (f.ignored != null) {
                assertEquals("    Ketcd: accepted, no effect: " + f.ignored.reason(), LINES.get(i + 2));
            }
        }
    }

    @Test
    void sectionsAreEtcdsInItsOrderThenKetcdsOwnThenSnapshot() {
        List<String> titles = List.of("Member:", "Clustering:", "Security:", "Auth:", "Profiling and Monitoring:", "Logging:",
                "v2 Proxy:", "Experimental feature:", "Unsafe feature:", "TO BE DEPRECATED:", "Ketcd (flags etcd does not have):",
                "Snapshot:");
        assertEquals(titles, LINES.stream().filter(titles::contains).toList());
        assertTrue(entryIndex(Flag.NAME) > LINES.indexOf("Member:"));
        assertTrue(entryIndex(Flag.NAME) < entryIndex(Flag.DATA_DIR));
        assertTrue(entryIndex(Flag.AUTH_TOKEN) > LINES.indexOf("Auth:"));
        assertTrue(entryIndex(Flag.FORCE_NEW_CLUSTER) > LINES.indexOf("Unsafe feature:"));
        assertTrue(entryIndex(Flag.KARAF_FEATURES) > LINES.indexOf("Ketcd (flags etcd does not have):"));
    }

    @Test
    void snapshotRestoreIsDescribedWithTheFlagsItUses() {
        String usage = Flag.usage();
        assertTrue(LINES.contains("  ketcd snapshot restore <file> [flags]"), usage);
        String snapshot = usage.substring(usage.indexOf("\nSnapshot:\n"));
        assertTrue(snapshot.contains("  ketcd snapshot restore <file> [flags]\n"), snapshot);
        for (Flag f : List.of(Flag.NAME, Flag.DATA_DIR, Flag.INITIAL_CLUSTER, Flag.INITIAL_CLUSTER_TOKEN,
                Flag.INITIAL_ADVERTISE_PEER_URLS)) {
            assertTrue(snapshot.contains("--" + f.flagName + ",") || snapshot.contains("--" + f.flagName + ":"),
                    "snapshot restore names --" + f.flagName + ": " + snapshot);
        }
    }

    @Test
    void theCommandsComeFirstAsInEtcd() {
        assertEquals(List.of("Usage:", "", "  ketcd [flags]"), LINES.subList(0, 3));
        assertTrue(LINES.contains("  ketcd --version"));
        assertTrue(LINES.contains("  ketcd -h | --help"));
        assertTrue(LINES.contains("  ketcd --config-file <file>"));
    }
}
