package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * With etcd's e2e quota (--quota-backend-bytes of 13 pages, 53,248 bytes) a first small put fits; then
 * overwriting one key with page-sized values must end in etcd's "database space exceeded" error and a
 * NOSPACE alarm; reads keep working; the documented recovery (compact to the current revision, defrag,
 * alarm disarm) makes writes work again. Run against the real etcd too, so the recipe itself is checked.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QuotaNoSpaceAlarmTest {

    private static final long QUOTA = 13 * 4096;
    private static final int MAX_PUTS = 80; // 80 x 4 KiB = 320 KiB written at most
    private static final String NOSPACE = "Error: etcdserver: mvcc: database space exceeded";

    static Stream<Member.Kind> kinds() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void exceeding_the_backend_quota_raises_nospace_until_compact_defrag_disarm(Member.Kind kind) {
        String big = "q".repeat(4096);
        try (Member m = Member.start(kind, "quota", "--quota-backend-bytes", String.valueOf(QUOTA))) {
            CommandResult first = m.ctl("put", "/quota/first", "s".repeat(64));
            assertEquals(0, first.exitCode(), () -> kind + ": a 64-byte put into an empty store must fit a 53,248-byte quota:\n"
                    + first + "\nendpoint status: " + m.ctl("endpoint", "status", "-w", "json"));
            CommandResult failed = null;
            int puts = 0;
            while (puts < MAX_PUTS) {
                CommandResult r = m.ctlStdin(big, "put", "/quota/big");
                puts++;
                if (!r.ok()) {
                    failed = r;
                    break;
                }
            }
            if (failed == null) {
                fail(kind + ": no error after " + MAX_PUTS + " puts of 4 KiB with --quota-backend-bytes=" + QUOTA
                        + "\nendpoint status: " + m.ctl("endpoint", "status", "-w", "json"));
            }
            final CommandResult firstFailure = failed;
            final int putsDone = puts;
            assertTrue(failed.stderr().contains(NOSPACE), () -> kind + ": put #" + putsDone + " failed, but not with '" + NOSPACE
                    + "':\n" + firstFailure);

            CommandResult alarms = m.ctl("alarm", "list");
            assertEquals(0, alarms.exitCode(), alarms::toString);
            assertTrue(alarms.stdout().strip().matches("memberID:\\d+ alarm:NOSPACE"),
                    () -> kind + ": alarm list should show exactly one NOSPACE alarm:\n" + alarms);

            CommandResult read = m.ctl("get", "/quota/big", "--print-value-only");
            assertEquals(0, read.exitCode(), () -> kind + ": reads must keep working under NOSPACE:\n" + read);
            assertEquals(big, read.stdout().strip(), kind + ": value read under NOSPACE differs");

            CommandResult small = m.ctl("put", "/quota/small", "x");
            assertTrue(small.stderr().contains(NOSPACE), () -> kind + ": even a small put must fail while NOSPACE is raised:\n" + small);

            CommandResult cur = m.ctl("get", "/quota/big", "-w", "json");
            long rev = Normalizer.json(cur).path("header").path("revision").asLong();
            CommandResult compact = m.ctl("compaction", String.valueOf(rev));
            assertEquals(0, compact.exitCode(), () -> kind + ": compaction under NOSPACE:\n" + compact);
            CommandResult defrag = m.ctl("defrag");
            assertEquals(0, defrag.exitCode(), () -> kind + ": defrag under NOSPACE:\n" + defrag);
            CommandResult disarm = m.ctl("alarm", "disarm");
            assertEquals(0, disarm.exitCode(), () -> kind + ": alarm disarm:\n" + disarm);
            CommandResult after = m.ctl("alarm", "list");
            assertEquals("", after.stdout().strip(), () -> kind + ": alarm list after disarm:\n" + after);

            CommandResult again = m.ctl("put", "/quota/small", "x");
            assertEquals(0, again.exitCode(), () -> kind + ": put after compact+defrag+disarm must succeed:\n" + again
                    + "\nendpoint status: " + m.ctl("endpoint", "status", "-w", "json"));
            assertEquals("OK", again.stdout().strip());
            System.out.println("[quota] " + kind + ": NOSPACE after " + puts + " puts of 4 KiB; recovered at rev " + rev);
        }
    }
}
