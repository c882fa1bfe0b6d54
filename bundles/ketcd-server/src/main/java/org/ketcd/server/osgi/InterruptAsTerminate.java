package org.ketcd.server.osgi;

import sun.misc.Signal;

/**
 * Under {@code bin/ketcd}, SIGINT (Ctrl-C) stops the member as SIGTERM does: Karaf handles SIGTERM by
 * stopping the framework (Raft and the store closed) and exiting with status 0, as an etcd stopped by
 * either signal ends cleanly; left to the JVM, SIGINT would end the process with status 130, which
 * supervisors and etcd's own test harness take for a failure.
 */
final class InterruptAsTerminate {
    private InterruptAsTerminate() {
    }

    /** Returns why not, when the JVM keeps SIGINT to itself (e.g. -Xrs, or SIGINT ignored from the start); else null. */
    static String install() {
        try {
            Signal.handle(new Signal("INT"), interrupt -> Signal.raise(new Signal("TERM")));
            return null;
        } catch (IllegalArgumentException refused) {
            return refused.getMessage();
        }
    }
}
