package org.ketcd.api;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The launch contract of {@code bin/ketcd}: a member started with it is the whole process, as an etcd
 * binary is, so a bundle that finds the member unable to serve ends the process (etcd's fatal exit)
 * instead of leaving it idling in Karaf. Inside a plain Karaf these are no-ops and the container goes on.
 *
 * <p>{@code bin/ketcd} leaves its flags in a file, the arguments separated by NUL bytes: the file named
 * by the system property {@value #ARGS_FILE_PROPERTY}, or else {@code ${karaf.data}/ketcd.args}.
 */
public final class BinKetcd {
    public static final String ARGS_FILE_PROPERTY = "ketcd.args.file";

    private BinKetcd() {
    }

    /** The file in which {@code bin/ketcd} left its flags, or null when not started by it. */
    public static Path argsFile() {
        String file = System.getProperty(ARGS_FILE_PROPERTY);
        if ((file == null || file.isEmpty()) && System.getProperty("karaf.data") != null) {
            file = Path.of(System.getProperty("karaf.data"), "ketcd.args").toString();
        }
        return file == null || file.isEmpty() || !Files.exists(Path.of(file)) ? null : Path.of(file);
    }

    /**
     * Ends the process with {@code status} if {@code bin/ketcd} started it; returns at once either way, whether the
     * process is ending.
     */
    public static boolean exitIfStartedByIt(int status) {
        if (argsFile() == null) {
            return false;
        }
        // Not from the calling thread: System.exit waits for the framework to stop, which may wait for a
        // component activation running on that thread.
        Thread exit = new Thread(() -> System.exit(status), "ketcd-exit");
        exit.setDaemon(true);
        exit.start();
        return true;
    }

    /**
     * Ends the process at once with {@code status} if {@code bin/ketcd} started it; returns whether it
     * did not. For fatal errors: no shutdown hook runs, as stopping cleanly would need the disk or the
     * Raft threads that just failed (etcd's fatal exit runs no deferred code either).
     */
    public static boolean haltIfStartedByIt(int status, String reason) {
        if (argsFile() == null) {
            return false;
        }
        System.err.println("ketcd: fatal: " + reason);
        System.err.flush();
        Runtime.getRuntime().halt(status);
        return true;
    }
}
