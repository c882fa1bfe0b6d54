package org.ketcd.systemtests.failures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.AckedWriter;
import org.ketcd.systemtests.harness.ClusterInvariants;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Leadership;
import org.ketcd.systemtests.harness.Member;

/**
 * The leader is killed with SIGKILL, repeatedly, while a client writes; each time a put through one
 * surviving member is retried until it succeeds. Prints the time from the kill to that first
 * successful write (a measurement, not asserted; resolution: one attempt, at most 400 ms plus etcdctl's start);
 * asserts that writes resume and that the usual invariants hold.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FailoverTimeTest {
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(400);
    /**
     * Kills per cluster: one in CI (each costs a member restart, ~20 s for Ketcd on 2 cores); more for a measurement
     * worth comparing: -Dsystem-tests.failover.repetitions=20.
     */
    private static final int REPETITIONS = Integer.getInteger("system-tests.failover.repetitions", 1);

    static Stream<Arguments> clusters() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target())
                .flatMap(kind -> Stream.of(Arguments.of(kind, 3), Arguments.of(kind, 5)));
    }

    @ParameterizedTest(name = "{0} x{1}")
    @MethodSource("clusters")
    void writes_resume_through_a_survivor_after_the_leader_is_killed(Member.Kind kind, int size) {
        List<Member> members = Member.startCluster(kind, "failover" + size, size);
        AckedWriter writer = null;
        try {
            Leadership.awaitLeader(members, 0, Duration.ofSeconds(30));
            writer = AckedWriter.start("/failover/w", members);
            writer.awaitMoreAcks(10, Duration.ofSeconds(60));
            List<Long> millis = new ArrayList<>();
            for (int rep = 0; rep < REPETITIONS; rep++) {
                Member leader = Leadership.awaitLeader(members, 0, Duration.ofSeconds(30));
                Member survivor = members.get((members.indexOf(leader) + 1) % size);
                long killedAt = System.nanoTime();
                leader.kill();
                CommandResult put = probe(survivor, rep);
                long deadline = killedAt + TimeUnit.SECONDS.toNanos(30);
                while (!put.ok() && System.nanoTime() < deadline) {
                    put = probe(survivor, rep);
                }
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                if (!put.ok()) {
                    throw new AssertionError("no write through " + survivor + " within 30 s of killing the leader:\n" + put);
                }
                millis.add(took);
                leader.restart();
                writer.awaitMoreAcks(5, Duration.ofSeconds(60));
            }
            System.out.printf("[failover] %s, %d members: leader kill -9 to first successful put through a survivor: %s ms%n",
                    kind, size, millis);

            ClusterInvariants.stopWriterAndAssertSurvived("failover " + kind + " x" + size, members, writer);
        } finally {
            if (writer != null) {
                writer.close();
            }
            members.forEach(Member::close);
        }
    }

    /**
     * One put attempt that gives up after {@link #PROBE_TIMEOUT} (the later --command-timeout wins), so
     * the measurement's resolution is that plus etcdctl's start, not etcdctl's whole-second timeouts.
     */
    private static CommandResult probe(Member survivor, int rep) {
        return survivor.ctlWithin(Duration.ofSeconds(3), "put", "--command-timeout=" + PROBE_TIMEOUT.toMillis() + "ms",
                "/failover/probe", "r" + rep);
    }
}
