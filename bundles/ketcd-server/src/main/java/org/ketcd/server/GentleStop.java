package org.ketcd.server;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops an executor whose tasks may be inside Derby without interrupting them: Derby closes the connection of a
 * thread interrupted inside a JDBC call ("Connection closed by unknown interrupt", then "No current connection"
 * for everyone sharing it), which would fail the member's final flush and Ratis' stop snapshot.
 */
final class GentleStop {
    private static final Logger LOG = LoggerFactory.getLogger(GentleStop.class);

    private GentleStop() {
    }

    /**
     * Stops taking work (a periodic task is cancelled, the default policy) and waits up to {@code timeoutMs} for the
     * run in progress; only a run that outlasts that is interrupted.
     */
    static void stop(ExecutorService executor, String what, long timeoutMs) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                LOG.warn("the running {} did not finish within {} ms; interrupting it", what, timeoutMs);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
