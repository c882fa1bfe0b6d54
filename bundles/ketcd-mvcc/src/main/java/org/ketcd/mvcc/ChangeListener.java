package org.ketcd.mvcc;

import java.util.List;
import org.ketcd.api.Event;

/**
 * The store's change feed: told of every revision as soon as it is applied. Runs on the writing
 * thread under the store's write lock, so it must be quick and must not call back into the store.
 */
public interface ChangeListener {

    /** The changes of {@code revision} (at least one), in sub-revision order. */
    void applied(long revision, List<Event> events);

    /**
     * The whole store was replaced (a snapshot from the leader): revisions after the last one told
     * may have been skipped; the new store is at {@code currentRevision}.
     */
    default void replaced(long currentRevision) {
    }
}
