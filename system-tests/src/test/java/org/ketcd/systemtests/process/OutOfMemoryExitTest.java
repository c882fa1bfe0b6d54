package org.ketcd.systemtests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Etcdctl;
import org.ketcd.systemtests.harness.Member;

/**
 * A member that runs out of heap cannot serve, so it must end, with a status a supervisor (systemd, Kubernetes) sees
 * as a failure, instead of idling until someone kills it: exit status 3 (the JVM's -XX:+ExitOnOutOfMemoryError), also
 * when KETCD_JAVA_OPTS replaces bin/ketcd's heap policy. Values live in Derby, read through a value cache on the
 * heap; a value cache set far above the heap, filled with values, is a real OutOfMemoryError in the member.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OutOfMemoryExitTest {
    /** Enough for Karaf and the member to boot (~100 MB used), small enough to fill with ~150 puts. */
    private static final String HEAP = "-Xmx192m";
    /** Below etcd's default --max-request-bytes (1.5 MiB). */
    private static final int VALUE_BYTES = 1 << 20;
    /** A value cache five times the heap: the values just written stay on it until the heap is full. */
    private static final String VALUE_CACHE_BYTES = String.valueOf(1L << 30);
    /** Far more than the heap holds: the load ends by an OutOfMemoryError, not by this bound. */
    private static final int MAX_PUTS = 1_000;
    /** A put that takes longer means the member stopped serving. */
    private static final Duration PUT_TIMEOUT = Duration.ofSeconds(20);
    /** From the first failed put to the exit: the JVM ends at the OutOfMemoryError, without shutdown hooks. */
    private static final Duration EXIT_AFTER_FAILURE = Duration.ofSeconds(30);
    private static final int EXIT_ON_OUT_OF_MEMORY = 3;

    @Test
    void a_member_out_of_heap_exits_with_status_3_also_when_ketcd_java_opts_replaces_the_heap_policy() {
        Member m = Member.prepare(Member.Kind.KETCD, "oom").withEnvironment("KETCD_JAVA_OPTS", HEAP);
        try {
            m.startAlone("--experimental-value-cache-bytes", VALUE_CACHE_BYTES);
            String value = randomLetters(VALUE_BYTES);
            CommandResult last = null;
            for (int i = 0; i < MAX_PUTS && m.awaitExit(Duration.ZERO) == null; i++) {
                last = Etcdctl.run(m.endpoint(), value, PUT_TIMEOUT, "put", "big/" + i);
                if (!last.ok()) {
                    break;
                }
            }
            CommandResult lastPut = last;
            Integer status = m.awaitExit(EXIT_AFTER_FAILURE);
            assertEquals(Integer.valueOf(EXIT_ON_OUT_OF_MEMORY), status,
                    () -> m + " after the load (last put: " + lastPut + "):\n" + m.logTail(40));
            String log = m.logTail(200);
            assertTrue(log.contains("Terminating due to java.lang.OutOfMemoryError: Java heap space"), () -> log);
        } finally {
            m.close();
        }
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
