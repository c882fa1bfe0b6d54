package org.ketcd.systemtests.harness;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Remembers every process this JVM started and kills it (and its descendants) on demand or, as a
 * backstop, from a JVM shutdown hook. It only ever touches PIDs it was handed by {@link ProcessBuilder}.
 */
public final class Reaper {
    private static final Set<Process> STARTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Reaper::killNow), "system-tests-reaper"));
    }

    private Reaper() {
    }

    public static Process register(Process p) {
        STARTED.add(p);
        return p;
    }

    /** SIGKILL the process and everything it spawned, then wait (bounded) for it to be gone. */
    public static void killNow(Process p) {
        try {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                System.err.println("[system-tests] process " + p.pid() + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            STARTED.remove(p);
        }
    }

    public static void forget(Process p) {
        STARTED.remove(p);
    }
}
