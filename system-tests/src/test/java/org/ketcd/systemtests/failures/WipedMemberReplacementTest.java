package org.ketcd.systemtests.failures;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.AckedWriter;
import org.ketcd.systemtests.harness.ClusterInvariants;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Leadership;
import org.ketcd.systemtests.harness.Member;

/**
 * A member loses its disk (killed, data dir deleted) while a client writes. As etcd's runbook says, the
 * operator removes it with {@code etcdctl member remove}, adds it back with {@code member add} and starts
 * it empty with {@code --initial-cluster-state existing}: it catches up to the same HashKV as the others.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class WipedMemberReplacementTest {
    private static final Pattern INITIAL_CLUSTER = Pattern.compile("ETCD_INITIAL_CLUSTER=\"([^\"]*)\"");

    static Stream<Member.Kind> kinds() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void a_member_whose_data_dir_is_wiped_is_removed_re_added_and_catches_up(Member.Kind kind) {
        List<Member> members = Member.startCluster(kind, "wipe", 3);
        AckedWriter writer = null;
        try {
            Member leader = Leadership.awaitLeader(members, 0, Duration.ofSeconds(30));
            Member lost = members.get((members.indexOf(leader) + 1) % 3);
            List<Member> others = new ArrayList<>(members);
            others.remove(lost);
            writer = AckedWriter.start("/wipe/w", others);
            writer.awaitMoreAcks(20, Duration.ofSeconds(60));

            long lostId = Leadership.memberId(lost);
            lost.kill();
            lost.wipeDataDir();
            writer.awaitMoreAcks(10, Duration.ofSeconds(30));
            CommandResult remove = ClusterInvariants.retry(leader, "member", "remove", Long.toHexString(lostId));
            assertTrue(remove.stdout().contains("removed from cluster"), remove::toString);
            writer.awaitMoreAcks(10, Duration.ofSeconds(30));

            // etcd refuses reconfiguration until the members have been connected for a while ("unhealthy cluster")
            CommandResult add = ClusterInvariants.retry(leader, "member", "add", lost.name(), "--peer-urls=" + lost.peerUrl());
            Matcher initialCluster = INITIAL_CLUSTER.matcher(add.stdout());
            assertTrue(initialCluster.find(), add::toString);
            long joinAt = System.nanoTime();
            lost.join(initialCluster.group(1));
            System.out.printf("[wipe %s] %s re-added empty and healthy after %d ms%n", kind, lost,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - joinAt));
            writer.awaitMoreAcks(10, Duration.ofSeconds(30));

            ClusterInvariants.stopWriterAndAssertSurvived("wipe " + kind, members, writer);
        } finally {
            if (writer != null) {
                writer.close();
            }
            members.forEach(Member::close);
        }
    }
}
