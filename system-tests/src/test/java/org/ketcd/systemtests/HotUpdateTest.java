package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.AckedWriter;
import org.ketcd.systemtests.harness.ClusterInvariants;
import org.ketcd.systemtests.harness.ConnectionProbe;
import org.ketcd.systemtests.harness.Leadership;
import org.ketcd.systemtests.harness.Member;

/**
 * Every Ketcd bundle of a member's boot features is updated in the running member of a 3-member cluster, one after
 * the other, through the member's deploy folder (a jar of the same name and version replaces the installed bundle,
 * as a newer build would), while two writers put through etcdctl: one through every member, one through the
 * updated member alone. Adapters (REST, gRPC, shell) restart alone; core bundles (mvcc, raft, server) restart the
 * member inside its JVM, which rejoins with its data. No acknowledged write is lost, HashKV agrees, and the updated
 * member serves again after each update; while an adapter is updated, the member's client port refuses no connection
 * (connections made while gRPC restarts wait for it). Then ketcd-server's update leaves the deploy folder: the shipped
 * bundle comes back and the member serves and writes again. Failed writes through that member (its client port serves nothing while
 * the member restarts) are printed, not asserted: etcd's clients see the same in a rolling restart.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class HotUpdateTest {
    /** Adapters first, then the core, each updated once; ketcd-api last (every other Ketcd bundle depends on it). */
    static final List<String> BUNDLES = List.of("ketcd-rest", "ketcd-shell", "ketcd-grpc", "ketcd-mvcc", "ketcd-raft", "ketcd-server",
            "ketcd-api");
    /** Updated without the member leaving its cluster: its client port never refuses a connection meanwhile. */
    static final List<String> ADAPTERS = List.of("ketcd-rest", "ketcd-shell", "ketcd-grpc");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void every_ketcd_bundle_is_updated_in_a_running_member_under_writes_and_no_acknowledged_write_is_lost() throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "bundle updates are Karaf's; etcd has none");
        List<Member> members = Member.startCluster(Member.Kind.KETCD, "hot-update", 3);
        AckedWriter all = null;
        AckedWriter updated = null;
        try {
            Leadership.awaitLeader(members, 0, Duration.ofSeconds(30));
            Member m = members.get(0);
            all = AckedWriter.start("/hot/all/", members);
            updated = AckedWriter.start("/hot/m0/", List.of(m));
            updated.awaitMoreAcks(5, WAIT);
            for (String bundle : BUNDLES) {
                long started = System.nanoTime();
                int before = startedLines(m, bundle);
                try (ConnectionProbe probe = m.probeClientPort()) {
                    dropUpdate(m, bundle);
                    awaitStarted(m, bundle, before);
                    m.awaitHealthy();
                    updated.awaitMoreAcks(3, WAIT);
                    probe.close();
                    System.out.printf("[hot-update] %s updated in %s: serving and writing again after %d ms; %s; %s; %s%n",
                            bundle, m, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), updated, all, probe);
                    if (ADAPTERS.contains(bundle)) {
                        assertEquals(0, probe.refused(), "the client port refused connections while " + bundle
                                + " was updated: " + probe);
                    }
                }
            }
            // the member's own bundle's update removed: FileInstall uninstalls it, and the shipped one comes back
            long removed = System.nanoTime();
            int restoredBefore = restoredLines(m, "ketcd-server");
            Files.delete(m.dataDir().resolve("deploy").resolve("ketcd-server-update.jar"));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (restoredLines(m, "ketcd-server") <= restoredBefore) {
                assertTrue(System.nanoTime() < deadline, "the shipped ketcd-server did not come back within " + WAIT.toSeconds()
                        + " s:\n" + m.logTail(40));
                Member.sleep(100);
            }
            m.awaitHealthy();
            updated.awaitMoreAcks(3, WAIT);
            System.out.printf("[hot-update] ketcd-server's update removed in %s: the shipped bundle serves and writes again "
                    + "after %d ms; %s%n", m, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removed), updated);
            ClusterInvariants.stopWriterAndAssertSurvived("hot update /hot/m0/", members, updated);
            ClusterInvariants.stopWriterAndAssertSurvived("hot update /hot/all/", members, all);
        } finally {
            for (AckedWriter w : new AckedWriter[] {all, updated}) {
                if (w != null) {
                    w.close();
                }
            }
            members.forEach(Member::close);
        }
    }

    /** A copy of the shipped jar, moved into the deploy folder whole. */
    private static void dropUpdate(Member m, String bundle) throws IOException {
        Path shipped = shippedJar(bundle);
        Path staged = m.dataDir().resolve(bundle + "-update.jar");
        Files.copy(shipped, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, m.dataDir().resolve("deploy").resolve(bundle + "-update.jar"), StandardCopyOption.ATOMIC_MOVE);
    }

    static Path shippedJar(String bundle) throws IOException {
        Path dir = Member.ketcdScript().getParent().getParent().resolve("system/org/ketcd").resolve(bundle);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no jar of " + bundle + " under " + dir));
        }
    }

    /** FileInstall's lines for the bundle started from its shipped location (it logs each start). */
    private static int startedLines(Member m, String bundle) throws IOException {
        String line = "Started bundle: mvn:org.ketcd/" + bundle + "/";
        return (int) Files.readAllLines(m.logFile(), StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains(line)).count();
    }

    /** The lines saying the shipped bundle came back after its update left the deploy folder. */
    private static int restoredLines(Member m, String bundle) throws IOException {
        String line = "the shipped bundle mvn:org.ketcd/" + bundle + "/";
        return (int) Files.readAllLines(m.logFile(), StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains(line)).count();
    }

    private static void awaitStarted(Member m, String bundle, int before) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (startedLines(m, bundle) <= before) {
            assertTrue(System.nanoTime() < deadline, bundle + " was not started again within " + WAIT.toSeconds() + " s:\n"
                    + m.logTail(40));
            Member.sleep(100);
        }
    }
}
