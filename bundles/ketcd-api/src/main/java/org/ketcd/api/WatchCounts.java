package org.ketcd.api;

/**
 * What a member's watchers hold and were sent, for etcd's watch metrics.
 *
 * @param slowWatchers  etcd_debugging_mvcc_slow_watcher_total: watchers reading missed revisions from the store's
 *                      history (they started at an old revision, or their buffer was full)
 * @param pendingEvents etcd_debugging_mvcc_pending_events_total: events buffered for watchers, not yet taken by
 *                      their streams
 * @param eventsSent    etcd_debugging_mvcc_events_total: events taken by watch streams to be sent, since start
 */
public record WatchCounts(long slowWatchers, long pendingEvents, long eventsSent) {
}
