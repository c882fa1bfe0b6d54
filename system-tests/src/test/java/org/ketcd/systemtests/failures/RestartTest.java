package org.ketcd.systemtests.failures;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.AckedWriter;
import org.ketcd.systemtests.harness.ClusterInvariants;
import org.ketcd.systemtests.harness.Leadership;
import org.ketcd.systemtests.harness.Member;

/**
 * While a client writes: every member stopped with SIGTERM or SIGINT (Ctrl-C) and started again, one after
 * another (a rolling restart, waiting for each to be healthy and for writes to go on before the next); each
 * stops cleanly (Ketcd: exit status 0; etcd re-raises the signal and dies by it: 128 + its number). Then all
 * members killed with SIGKILL at once and started together. No acknowledged write is lost, no revision
 * reused, all members end with one HashKV, and the cluster takes writes.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RestartTest {
    /**
     * Whether this JVM, and so every member it starts, was started with SIGINT ignored (as a background job of a
     * non-interactive shell is): such a JVM cannot take SIGINT at all (etcd's Go runtime takes it back), so
     * the members are stopped with SIGTERM only.
     */
    private static final boolean INTERRUPT_IGNORED = interruptIgnored();

    private static boolean interruptIgnored() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    boolean ignored = (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (2 - 1))) != 0;
                    if (ignored) {
                        System.out.println("[restart] SIGINT is ignored in this test JVM: members are stopped with SIGTERM only");
                    }
                    return ignored;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no /proc: assume signals as the shell delivers them
        }
        return false;
    }

    static Stream<Member.Kind> kinds() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void a_rolling_restart_and_a_restart_of_all_members_at_once_lose_no_acknowledged_write(Member.Kind kind) {
        List<Member> members = Member.startCluster(kind, "restart", 3);
        AckedWriter writer = null;
        try {
            Leadership.awaitLeader(members, 0, Duration.ofSeconds(30));
            writer = AckedWriter.start("/restart/w", members);
            writer.awaitMoreAcks(10, Duration.ofSeconds(60));

            for (int i = 0; i < members.size(); i++) {
                Member m = members.get(i);
                String signal = i % 2 == 0 || INTERRUPT_IGNORED ? "TERM" : "INT";
                long stoppedAt = System.nanoTime();
                m.signal(signal);
                Integer exit = m.awaitExit(Duration.ofSeconds(30));
                if (exit == null) {
                    m.kill();
                }
                int clean = kind == Member.Kind.ETCD ? 128 + (signal.equals("TERM") ? 15 : 2) : 0;
                assertEquals(Integer.valueOf(clean), exit, kind + ": " + m + " stopped with SIG" + signal + ": " + m.logTail(10));
                m.restart();
                System.out.printf("[restart %s] %s stopped with SIG%s and healthy again after %d ms%n", kind, m, signal,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt));
                writer.awaitMoreAcks(5, Duration.ofSeconds(60));
            }
            ClusterInvariants.assertHashKvAgrees(members);

            long killedAt = System.nanoTime();
            members.forEach(Member::kill);
            Member.restartAll(members);
            System.out.printf("[restart %s] all members SIGKILLed and healthy again after %d ms%n", kind,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
            writer.awaitMoreAcks(10, Duration.ofSeconds(60));

            ClusterInvariants.stopWriterAndAssertSurvived("restart " + kind, members, writer);
        } finally {
            if (writer != null) {
                writer.close();
            }
            members.forEach(Member::close);
        }
    }
}
