package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.AckedWriter;
import org.ketcd.systemtests.harness.ClusterInvariants;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Leadership;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.NextBuild;

/**
 * A rolling update of a 3-member cluster to the next build ({@link NextBuild}: other jars, the next version), member
 * by member as an operator does it: stop the member (SIGTERM), start it from the new distribution with its data
 * dir and runtime dir, wait until it serves, go on with the next; the leader too, which hands its leadership to
 * another member as it stops. A writer puts through every member the whole time. Each updated member runs the new
 * build's bundles (its log names the new version: Karaf's bundle cache from the old build is not reused) and serves
 * beside members of the old build (a write through it is read through an old one). No acknowledged write is lost,
 * HashKV agrees. The time each member took to serve again is printed, not asserted.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RollingUpdateTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String VERSION_LINE = "ketcd Version: ";

    @Test
    void a_cluster_updated_member_by_member_to_the_next_build_under_a_writer_runs_it_and_loses_no_acknowledged_write()
            throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "a Ketcd distribution's update");
        Path work = Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work")).toAbsolutePath();
        Files.createDirectories(work);
        Path nextHome = Files.createTempDirectory(work, "next-build-");
        Files.delete(nextHome);
        NextBuild next = NextBuild.of(Member.ketcdScript().getParent().getParent(), nextHome);
        List<Member> members = Member.startCluster(Member.Kind.KETCD, "rolling-update", 3);
        AckedWriter writer = null;
        try {
            String current = lastVersion(members.get(0));
            assertTrue(!current.equals(next.version()), "the next build's version " + next.version() + " is this one's");
            writer = AckedWriter.start("/rolling/", members);
            writer.awaitMoreAcks(10, WAIT);
            boolean leaderUpdated = false;
            java.util.Set<Member> updated = new java.util.HashSet<>();
            for (int i = 0; i < members.size(); i++) {
                // the leader last: the others are updated while it leads, then it hands its leadership on as it stops
                Member leader = Leadership.awaitLeader(members, 0, WAIT);
                List<Member> left = members.stream().filter(x -> !updated.contains(x)).toList();
                Member leading = leader;
                Member m = left.size() > 1 ? left.stream().filter(x -> x != leading).findFirst().orElseThrow() : left.get(0);
                if (left.size() == 1 && m != leader) {
                    CommandResult moved = leader.ctl("move-leader", Long.toHexString(Leadership.memberId(m)));
                    assertTrue(moved.ok(), moved::toString);
                    leader = Leadership.awaitLeader(members, 0, WAIT);
                }
                boolean wasLeader = m == leader;
                long stopped = System.nanoTime();
                m.signal("TERM");
                assertEquals(Integer.valueOf(0), m.awaitExit(Duration.ofSeconds(60)), m + " stopped with SIGTERM:\n" + m.logTail(20));
                if (wasLeader) {
                    assertTrue(lastStartLines(m).stream().anyMatch(l -> l.contains("finished leadership transfer")),
                            "the leader handed its leadership on before it stopped:\n" + m.logTail(30));
                    leaderUpdated = true;
                }
                m.useDistribution(next.home());
                m.restart();
                updated.add(m);
                assertEquals(next.version(), lastVersion(m), m + " runs the next build");
                writer.awaitMoreAcks(5, WAIT);
                System.out.printf("[rolling-update] %s%s updated from %s to %s: serving again after %d ms; %s%n", m,
                        wasLeader ? " (the leader)" : "", current, next.version(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped), writer);
                for (Member old : members) {
                    if (!updated.contains(old)) {
                        assertReadThrough(old, m, "/rolling/mixed-" + i);
                    }
                }
            }
            assertTrue(leaderUpdated, "the leader was among the updated members");
            ClusterInvariants.stopWriterAndAssertSurvived("rolling update", members, writer);
        } finally {
            if (writer != null) {
                writer.close();
            }
            members.forEach(Member::close);
            Member.deleteRecursively(nextHome);
        }
    }

    /** A write through the updated member is read (linearizable) through a member of the old build. */
    private static void assertReadThrough(Member old, Member updated, String key) {
        CommandResult put = updated.ctl("put", key, "written-through-" + updated.name());
        assertTrue(put.ok(), put::toString);
        CommandResult get = old.ctl("get", key, "--print-value-only");
        assertTrue(get.ok(), get::toString);
        assertEquals("written-through-" + updated.name(), get.stdout().strip(), "read through " + old + " of the old build");
    }

    /** The version the member's latest start logged ("ketcd Version: ..."). */
    private static String lastVersion(Member m) throws IOException {
        List<String> lines = lastStartLines(m);
        for (int i = lines.size() - 1; i >= 0; i--) {
            int at = lines.get(i).indexOf(VERSION_LINE);
            if (at >= 0) {
                return lines.get(i).substring(at + VERSION_LINE.length()).strip();
            }
        }
        throw new AssertionError(m + " logged no version since its latest start:\n" + m.logTail(30));
    }

    /** The member's log since its latest start (the harness marks each start with a line "===== start #N"). */
    private static List<String> lastStartLines(Member m) throws IOException {
        List<String> all = Files.readAllLines(m.logFile(), StandardCharsets.ISO_8859_1);
        int from = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("===== start #")) {
                from = i;
            }
        }
        return all.subList(from, all.size());
    }
}
