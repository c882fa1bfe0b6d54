package org.ketcd.api;

/**
 * An open watcher. Its batches wait in a bounded server-side buffer until polled: a consumer that
 * polls slowly only makes its own watcher fall behind (it then catches up from the store's history),
 * never the writers or other watchers.
 */
public interface Watch extends AutoCloseable {

    /** The next batch, or null if none is buffered now ({@link WatchListener#ready()} tells when one is). */
    WatchBatch poll();

    /**
     * A revision up to which every event of this watcher has been polled (or was filtered out): the
     * revision a progress response may announce for it.
     */
    long progressRevision();

    /** Stops the watcher; buffered batches are dropped. */
    @Override
    void close();
}
