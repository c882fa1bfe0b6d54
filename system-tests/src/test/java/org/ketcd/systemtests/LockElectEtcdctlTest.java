package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Etcdctl;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * {@code etcdctl lock}, {@code etcdctl elect} and {@code etcdctl lease keep-alive}, which run until
 * stopped, against real etcd 3.4 and Ketcd: the same hand-overs (a lock holder killed, its session
 * lease expiring; a leader stopped with SIGTERM, resigning) and the same normalized output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LockElectEtcdctlTest {
    private Member etcd;
    private Member ketcd;
    private final List<String> differences = new ArrayList<>();

    @BeforeAll
    void startBoth() {
        etcd = Member.start(Member.Kind.ETCD, "lock");
        try {
            ketcd = Member.start(Member.Kind.target(), "lock");
        } catch (RuntimeException | Error e) {
            etcd.close();
            throw e;
        }
    }

    @AfterAll
    void stopBoth() {
        try {
            if (ketcd != null) {
                ketcd.close();
            }
        } finally {
            if (etcd != null) {
                etcd.close();
            }
        }
    }

    @AfterEach
    void reportDifferences() {
        if (!differences.isEmpty()) {
            List<String> all = List.copyOf(differences);
            differences.clear();
            fail(all.size() + " difference(s) between etcd and Ketcd:\n\n" + String.join("\n\n", all));
        }
    }

    @Test
    void aLockPassesToTheWaiterWhenTheKilledHoldersSessionLeaseExpires() {
        List<List<CommandResult>> both = new ArrayList<>();
        for (Member m : List.of(etcd, ketcd)) {
            Etcdctl.Background holder = Etcdctl.start(m.endpoint(), "lock", "--ttl", "2", "/locks/a");
            Etcdctl.Background waiter = null;
            try {
                assertTrue(awaitOutput(holder, "/locks/a/"), m + ": the holder did not get the lock: " + holder.stdoutSoFar());
                waiter = Etcdctl.start(m.endpoint(), "lock", "/locks/a", "echo", "waiter-ran");
                Member.sleep(1_500);
                assertEquals("", waiter.stdoutSoFar(), m + ": the waiter must wait while the holder lives");
                CommandResult killed = holder.kill(); // SIGKILL: no release; the 2 s session lease expires
                assertTrue(awaitOutput(waiter, "waiter-ran"), m + ": the waiter never got the lock: " + waiter.stdoutSoFar());
                both.add(List.of(killed, waiter.terminate()));
            } finally {
                holder.kill();
                if (waiter != null) {
                    waiter.kill();
                }
            }
        }
        compare("lock holder", both.get(0).get(0), both.get(1).get(0));
        compare("lock waiter", both.get(0).get(1), both.get(1).get(1));
    }

    @Test
    void aLeaderStoppedWithSigtermResignsAndTheNextCampaignerLeadsWhileAnObserverFollows() {
        List<List<CommandResult>> both = new ArrayList<>();
        for (Member m : List.of(etcd, ketcd)) {
            List<Etcdctl.Background> started = new ArrayList<>();
            try {
                Etcdctl.Background observer = Etcdctl.start(m.endpoint(), "elect", "--listen", "/elections/x");
                started.add(observer);
                Member.sleep(500);
                Etcdctl.Background alice = Etcdctl.start(m.endpoint(), "elect", "/elections/x", "alice");
                started.add(alice);
                assertTrue(awaitOutput(alice, "alice"), m + ": alice did not lead: " + alice.stdoutSoFar());
                Etcdctl.Background bob = Etcdctl.start(m.endpoint(), "elect", "/elections/x", "bob");
                started.add(bob);
                Member.sleep(1_500);
                assertEquals("", bob.stdoutSoFar(), m + ": bob must wait while alice leads");
                CommandResult aliceDone = alice.terminate();
                assertTrue(awaitOutput(bob, "bob"), m + ": bob never led: " + bob.stdoutSoFar());
                assertTrue(awaitOutput(observer, "bob"), m + ": the observer missed bob: " + observer.stdoutSoFar());
                both.add(List.of(aliceDone, bob.terminate(), observer.kill()));
            } finally {
                started.forEach(Etcdctl.Background::kill);
            }
        }
        compare("elect alice (SIGTERM)", both.get(0).get(0), both.get(1).get(0));
        compare("elect bob", both.get(0).get(1), both.get(1).get(1));
        compare("elect --listen", both.get(0).get(2), both.get(1).get(2));
    }

    @Test
    void leaseKeepAliveRenewsUntilStopped() {
        List<CommandResult> results = new ArrayList<>();
        for (Member m : List.of(etcd, ketcd)) {
            CommandResult granted = m.ctl("lease", "grant", "6");
            String id = granted.stdout().split(" ")[1];
            Etcdctl.Background keeper = Etcdctl.start(m.endpoint(), "lease", "keep-alive", id);
            try {
                assertTrue(awaitOutput(keeper, "keepalived"), m + ": no keep-alive: " + keeper.stdoutSoFar());
                Member.sleep(7_000); // beyond the TTL: only the keep-alives hold the lease
                CommandResult ttl = m.ctl("lease", "timetolive", id);
                assertTrue(ttl.stdout().contains("granted with TTL(6s)") && !ttl.stdout().contains("expired"), m + ": " + ttl);
            } finally {
                results.add(keeper.terminate());
            }
        }
        // the first renewal's line is the same; how many follow depends on timing
        compare("lease keep-alive (first line)", firstLine(results.get(0)), firstLine(results.get(1)));
    }

    private static CommandResult firstLine(CommandResult r) {
        String first = r.stdout().lines().findFirst().orElse("");
        return new CommandResult(r.command(), 0, first, "", false);
    }

    /** Waits (at most 30 s) until the process printed {@code marker}. */
    private static boolean awaitOutput(Etcdctl.Background p, String marker) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (p.stdoutSoFar().contains(marker)) {
                return true;
            }
            Member.sleep(50);
        }
        return false;
    }

    private void compare(String what, CommandResult e, CommandResult k) {
        String ne = masked(Normalizer.normalize(e, etcd));
        String nk = masked(Normalizer.normalize(k, ketcd));
        if (!ne.equals(nk)) {
            differences.add("### etcdctl " + what + "\n=== etcd (normalised) ===\n" + ne + "\n=== Ketcd (normalised) ===\n" + nk);
        }
    }

    /** Lock and election keys end with the session's lease id in hex, which differs between servers. */
    private static String masked(String s) {
        return s.replaceAll("/[0-9a-f]{8,16}\\b", "/<lease-id>");
    }
}
