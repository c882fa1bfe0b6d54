package org.ketcd.api;

/**
 * Told when a {@link Watch} has something to {@link Watch#poll()}. Called on the server's apply or
 * catch-up thread: it must return at once (schedule the polling elsewhere) and never call back into
 * the server from that thread.
 */
@FunctionalInterface
public interface WatchListener {

    /** The watch's buffer went from empty to not empty. */
    void ready();
}
