package org.ketcd.api;

import java.util.List;

/**
 * What a watcher receives at once: the events of one or more whole revisions in (revision, sub
 * revision) order, never part of a revision. No events = a progress notification: everything up to
 * {@code revision} has been delivered. {@code compactRevision} not 0 = the watcher is canceled because
 * the revision it needs next was compacted (then {@code revision} is 0, as etcd's header).
 */
public record WatchBatch(long revision, List<Event> events, long compactRevision) {

    public static WatchBatch progress(long revision) {
        return new WatchBatch(revision, List.of(), 0);
    }

    public static WatchBatch compacted(long compactRevision) {
        return new WatchBatch(0, List.of(), compactRevision);
    }

    public boolean canceled() {
        return compactRevision != 0;
    }
}
