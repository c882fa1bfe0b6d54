package org.ketcd.systemtests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Etcdctl;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Tmpfs;

/**
 * A member whose disk fills up stops with exit status 1, as etcd does ("cannot commit tx (... no space left on
 * device)"), instead of answering "internal error" and then timing out forever while it stays up. After the space
 * is there again and it restarts, every acknowledged put is there, and no put it answered with an error was applied.
 * The data dir is a small tmpfs of its own (root needed, as in CI); Karaf's runtime state lives elsewhere.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DiskFullTest {
    /**
     * Room for a member to start and then a few hundred puts. etcd preallocates its 64 MB WAL file and, in the
     * background, the next one: on 96 MB it sometimes found no room for its database at start.
     */
    private static String small(Member.Kind kind) {
        return kind == Member.Kind.ETCD ? "224m" : "96m";
    }
    private static final String ROOMY = "640m";
    /** Large values fill the disk in a few hundred puts; below --max-request-bytes. */
    private static final int VALUE_BYTES = 128 * 1024;
    /** Far more than the file system holds: the load ends by the member stopping, not by this bound. */
    private static final int MAX_PUTS = 2_000;
    private static final Duration PUT_TIMEOUT = Duration.ofSeconds(10);
    /** Puts in a row that may fail before the member must have stopped. */
    private static final int FAILURES_BEFORE_STOP = 5;
    private static final Duration EXIT_AFTER_FAILURES = Duration.ofSeconds(60);
    private static final int FATAL_EXIT = 1;

    private record Put(String key, String value) {
    }

    @ParameterizedTest
    @EnumSource(Member.Kind.class)
    void a_member_whose_disk_fills_up_exits_with_status_1_and_after_a_restart_holds_every_acknowledged_put_and_no_refused_one(
            Member.Kind kind) {
        Member m = Member.prepare(kind, "disk-full");
        Tmpfs disk = Tmpfs.mount(m.dataDir(), small(kind));
        try {
            m.startAlone();
            List<Put> acknowledged = new ArrayList<>();
            List<String> refused = new ArrayList<>(); // answered with an error that says it was not done
            int failuresInARow = 0;
            for (int i = 0; i < MAX_PUTS && failuresInARow < FAILURES_BEFORE_STOP && m.awaitExit(Duration.ZERO) == null; i++) {
                Put put = new Put(String.format("full/%05d", i), randomLetters(VALUE_BYTES));
                CommandResult r = Etcdctl.run(m.endpoint(), put.value(), PUT_TIMEOUT, "put", put.key());
                if (r.ok()) {
                    acknowledged.add(put);
                    failuresInARow = 0;
                } else {
                    failuresInARow++;
                    if (definitelyNotDone(r)) {
                        refused.add(put.key());
                    }
                }
            }
            Integer status = m.awaitExit(EXIT_AFTER_FAILURES);
            assertEquals(Integer.valueOf(FATAL_EXIT), status, () -> m + " after its disk filled up (" + acknowledged.size()
                    + " puts acknowledged):\n" + m.logTail(40));
            assertTrue(acknowledged.size() > 10, "the disk was full before the load: " + acknowledged.size() + " puts");
            if (kind == Member.Kind.KETCD) {
                String log = m.logTail(400);
                assertTrue(log.contains("ketcd: fatal:"), () -> "no fatal error logged:\n" + log);
            }

            disk.resize(ROOMY);
            m.restart();
            Set<String> present = new HashSet<>(List.of(m.ctl("get", "full/", "--prefix", "--keys-only").stdout().split("\\s+")));
            for (Put put : acknowledged) {
                assertTrue(present.contains(put.key()), put.key() + " was acknowledged and is gone after the restart");
            }
            Put last = acknowledged.get(acknowledged.size() - 1);
            CommandResult value = m.ctl("get", last.key(), "--print-value-only");
            assertEquals(last.value(), value.stdout().strip(), "the value of the last acknowledged put");
            for (String key : refused) {
                assertTrue(!present.contains(key), key + " was answered with an error and is there after the restart");
            }
            CommandResult after = m.ctl("put", "after/restart", "v");
            assertTrue(after.ok(), () -> "the restarted member refuses writes: " + after);
        } finally {
            m.close(); // kills the member, empties the data dir
            disk.close();
        }
    }

    /**
     * An answer that says the put was not done (etcd's "internal error", a refusal), as opposed to a lost connection
     * or a timeout, after which the put may or may not have been applied.
     */
    private static boolean definitelyNotDone(CommandResult r) {
        String err = r.stderr();
        return !r.timedOut() && err.contains("etcdserver:") && !err.contains("request timed out")
                && !err.contains("leader changed") && !err.contains("server stopped");
    }

    private static String randomLetters(int length) {
        StringBuilder b = new StringBuilder(length);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        return b.toString();
    }
}
