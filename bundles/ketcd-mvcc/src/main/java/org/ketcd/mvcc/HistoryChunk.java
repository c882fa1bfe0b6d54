package org.ketcd.mvcc;

import java.util.List;
import org.ketcd.api.Event;

/**
 * Part of a key range's history, as {@link MvccStore#history} returns it: the events of whole
 * revisions in (main, sub) order, and the revision to ask for next (one past the last revision
 * covered, whether or not it had events in the range).
 */
public record HistoryChunk(List<Event> events, long nextRevision) {
}
