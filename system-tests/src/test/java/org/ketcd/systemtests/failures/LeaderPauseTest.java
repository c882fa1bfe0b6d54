package org.ketcd.systemtests.failures;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.AckedWriter;
import org.ketcd.systemtests.harness.ClusterInvariants;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Etcdctl;
import org.ketcd.systemtests.harness.Leadership;
import org.ketcd.systemtests.harness.Member;

/**
 * The leader is frozen with SIGSTOP for longer than the election timeout while a client writes: the
 * others elect a new leader and take a new value; after SIGCONT the old leader must step down, and a
 * linearizable read through it must return the new value or fail, never the value it held when frozen.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LeaderPauseTest {

    static Stream<Member.Kind> kinds() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void a_leader_frozen_past_the_election_timeout_steps_down_and_serves_no_stale_linearizable_read(Member.Kind kind) {
        List<Member> members = Member.startCluster(kind, "pause", 3);
        AckedWriter writer = null;
        try {
            Member leader = Leadership.awaitLeader(members, 0, Duration.ofSeconds(30));
            ClusterInvariants.retry(leader, "put", "/pause/x", "old");
            writer = AckedWriter.start("/pause/w", members);
            writer.awaitMoreAcks(10, Duration.ofSeconds(60));

            long frozenId = Leadership.memberId(leader);
            List<Member> others = new ArrayList<>(members);
            others.remove(leader);
            leader.signal("STOP");
            long stoppedAt = System.nanoTime();
            Member newLeader = Leadership.awaitLeader(others, frozenId, Duration.ofSeconds(30));
            System.out.printf("[pause %s] leader frozen; %s leads after %d ms%n", kind, newLeader,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt));
            CommandResult put = ClusterInvariants.retry(newLeader, "put", "/pause/x", "new");
            writer.awaitMoreAcks(5, Duration.ofSeconds(30)); // the majority keeps taking writes
            Member.sleep(1500); // well past the 1 s election timeout

            // Reads sent while it is frozen wait in its socket and are the first thing it sees on SIGCONT.
            List<Etcdctl.Background> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                queued.add(Etcdctl.start(leader.endpoint(), "get", "/pause/x", "--print-value-only"));
            }
            Member.sleep(400);
            leader.signal("CONT");
            List<CommandResult> reads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                reads.add(leader.ctlWithin(Duration.ofSeconds(8), "get", "/pause/x", "--print-value-only"));
            }
            for (Etcdctl.Background b : queued) {
                reads.add(awaitExit(b));
            }
            int answered = 0;
            for (CommandResult r : reads) {
                if (r.ok()) {
                    answered++;
                    assertEquals("new", r.stdout().strip(), () -> "stale linearizable read through the resumed old leader: " + r
                            + "\n(the new value was acknowledged before SIGCONT: " + put + ")");
                }
            }
            System.out.printf("[pause %s] %d of %d linearizable reads through the resumed leader answered, all with the new value%n",
                    kind, answered, reads.size());

            // It stepped down: all three, the resumed one included, name one leader again.
            Member after = Leadership.awaitLeader(members, 0, Duration.ofSeconds(30));
            System.out.printf("[pause %s] after SIGCONT all three follow %s%n", kind, after);
            assertEquals("new", ClusterInvariants.retry(leader, "get", "/pause/x", "--print-value-only").stdout().strip());

            writer.awaitMoreAcks(5, Duration.ofSeconds(30));
            ClusterInvariants.stopWriterAndAssertSurvived("pause " + kind, members, writer);
        } finally {
            if (writer != null) {
                writer.close();
            }
            members.forEach(Member::close);
        }
    }

    /** Waits for a queued read to finish by itself (its own command timeout bounds it). */
    private static CommandResult awaitExit(Etcdctl.Background b) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(35);
        while (ProcessHandle.of(b.pid()).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Member.sleep(100);
        }
        return b.terminate();
    }
}
