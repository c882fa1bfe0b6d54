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
 * {@code etcdctl watch} (prefix, --rev, --prev-kv, JSON, compacted) against real etcd 3.4 and Ketcd
 * with the same writes: the watch runs as a process until it printed the last write, is killed by
 * its PID, and its normalized output must be the same on both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class WatchEtcdctlTest {
    private Member etcd;
    private Member ketcd;
    private final List<String> differences = new ArrayList<>();

    @BeforeAll
    void startBoth() {
        etcd = Member.start(Member.Kind.ETCD, "watch");
        try {
            ketcd = Member.start(Member.Kind.target(), "watch");
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
    void watchOfAPrefixFromTheNextRevisionPrintsEveryChange() {
        sameWatch("/w1/", "/w1/a", "watch", "--prefix", "/w1/");
    }

    @Test
    void watchWithPrevKvPrintsThePreviousValues() {
        sameWatch("/w2/", "/w2/a", "watch", "--prefix", "/w2/", "--prev-kv");
    }

    @Test
    void watchOfOneKeyInJsonPrintsTheSameResponses() {
        sameWatch("/w3/", "/w3/a", "watch", "/w3/a", "-w", "json");
    }

    @Test
    void watchFromACompactedRevisionIsCanceledAsEtcdDoes() {
        long[] revisions = new long[2];
        List<CommandResult> results = new ArrayList<>();
        for (Member m : List.of(etcd, ketcd)) {
            m.ctl("put", "/w4/a", "1");
            m.ctl("put", "/w4/a", "2");
            long rev = revision(m);
            m.ctl("compact", Long.toString(rev));
            results.add(m.ctlWithin(java.time.Duration.ofSeconds(20), "watch", "/w4/a", "--rev", Long.toString(rev - 1)));
            revisions[results.size() - 1] = rev;
        }
        assertEquals(revisions[0], revisions[1], "both stores at the same revision");
        assertTrue(results.get(0).stderr().contains("compacted"), "etcd canceled the watch: " + results.get(0));
        compare("watch /w4/a --rev <compacted>", results.get(0), results.get(1));
    }

    /**
     * Makes the same writes on each member (puts, a delete, a two-key txn, then {@code lastKey}=hist),
     * starts {@code watchArgs} from the first of them (a history replay, so the batching does not
     * depend on how fast etcdctl connects), then once "hist" is printed puts {@code lastKey}=end (a live
     * event), waits for it and kills the watch.
     */
    private void sameWatch(String prefix, String lastKey, String... watchArgs) {
        List<CommandResult> results = new ArrayList<>();
        long[] starts = new long[2];
        for (Member m : List.of(etcd, ketcd)) {
            long start = revision(m) + 1;
            starts[results.size()] = start;
            m.ctl("put", prefix + "a", "1");
            m.ctl("put", prefix + "b", "2");
            m.ctl("put", prefix + "a", "3");
            m.ctl("del", prefix + "b");
            m.ctlStdin("\nput " + prefix + "x 10\nput " + prefix + "y 20\n\n", "txn");
            m.ctl("put", lastKey, "hist");
            List<String> args = new ArrayList<>(List.of(watchArgs));
            args.addAll(List.of("--rev", Long.toString(start)));
            Etcdctl.Background watch = Etcdctl.start(m.endpoint(), args.toArray(String[]::new));
            try {
                awaitOutput(watch, "hist", "aGlzdA=="); // also in base64, for -w json
                m.ctl("put", lastKey, "end");
                awaitOutput(watch, "end", "ZW5k");
            } finally {
                results.add(watch.kill());
            }
        }
        assertEquals(starts[0], starts[1], "both stores at the same revision");
        String etcdOut = results.get(0).stdout();
        assertTrue(etcdOut.contains("end") || etcdOut.contains("ZW5k"), "etcd's watch printed the writes: " + results.get(0));
        compare(String.join(" ", watchArgs), results.get(0), results.get(1));
    }

    /** Waits (at most 20 s) until the watch printed one of the markers; a miss shows in the comparison. */
    private static void awaitOutput(Etcdctl.Background watch, String... markers) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String out = watch.stdoutSoFar();
            for (String marker : markers) {
                if (out.contains(marker)) {
                    return;
                }
            }
            Member.sleep(50);
        }
    }

    private void compare(String what, CommandResult e, CommandResult k) {
        String ne = Normalizer.normalize(e, etcd);
        String nk = Normalizer.normalize(k, ketcd);
        if (!ne.equals(nk)) {
            differences.add("### etcdctl " + what + "\n=== etcd (normalised) ===\n" + ne + "\n=== Ketcd (normalised) ===\n" + nk);
        }
    }

    private static long revision(Member m) {
        CommandResult r = m.ctl("get", "/rev-probe", "-w", "json");
        assertEquals(0, r.exitCode(), () -> "cannot read the revision of " + m + "\n" + r);
        return Normalizer.json(r).path("header").path("revision").asLong();
    }
}
