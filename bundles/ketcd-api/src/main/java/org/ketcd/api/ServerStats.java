package org.ketcd.api;

/**
 * What a member counts for {@code /metrics} beyond {@link StatusResponse}, read when it is scraped; each field names
 * the etcd 3.4 metric it becomes.
 *
 * @param memberId          etcd_server_id (label server_id)
 * @param leaderChanges     etcd_server_leader_changes_seen_total: leaders this member has seen since it started
 * @param committedIndex    etcd_server_proposals_committed_total: the Raft index this member knows committed
 * @param proposalsPending  etcd_server_proposals_pending: writes proposed through this member, not answered yet
 * @param proposalsFailed   etcd_server_proposals_failed_total: writes proposed through this member that Raft failed
 * @param keys              etcd_debugging_mvcc_keys_total: keys in the store, deleted ones not counted
 * @param compactRevision   etcd_debugging_mvcc_compact_revision
 * @param watchers          etcd_debugging_mvcc_watcher_total: watchers open on this member
 * @param quotaBackendBytes etcd_server_quota_backend_bytes
 * @param backendCommits    etcd_disk_backend_commit_duration_seconds: the store's commits to disk
 * @param walFsyncs         etcd_disk_wal_fsync_duration_seconds: the Raft log's syncs to disk (Ratis writes a batch of
 *                          entries and forces it)
 * @param peerRoundTrips    etcd_network_peer_round_trip_time_seconds (label To): while this member leads, its
 *                          heartbeats' round trips to each follower, by member ID; empty otherwise
 * @param leases            etcd_debugging_lease_*: what the member's lessor counted
 * @param ops               etcd_mvcc_{range,put,delete,txn}_total and their etcd_debugging_mvcc_* twins: what the
 *                          member's store ran
 * @param watches           etcd_debugging_mvcc_{slow_watcher,pending_events,events}_total: its watchers' state
 * @param defrags           etcd_disk_backend_defrag_duration_seconds: the store's defragmentations
 * @param defragsRunning    etcd_disk_defrag_inflight: 1 while a defragmentation runs, else 0
 * @param snapshots         etcd_disk_backend_snapshot_duration_seconds: the snapshots written for clients (Maintenance
 *                          Snapshot), from start to the file's end; etcd also counts the time sending it
 * @param raftSnapshots     etcd_debugging_snap_save_total_duration_seconds: the Raft snapshots this member took
 */
public record ServerStats(long memberId, long leaderChanges, long committedIndex, long proposalsPending,
                          long proposalsFailed, long keys, long compactRevision, long watchers, long quotaBackendBytes,
                          DurationHistogram.Snapshot backendCommits, DurationHistogram.Snapshot walFsyncs,
                          java.util.Map<Long, DurationHistogram.Snapshot> peerRoundTrips, LeaseCounts leases,
                          OpCounts ops, WatchCounts watches, DurationHistogram.Snapshot defrags, int defragsRunning,
                          DurationHistogram.Snapshot snapshots, DurationHistogram.Snapshot raftSnapshots) {
}
