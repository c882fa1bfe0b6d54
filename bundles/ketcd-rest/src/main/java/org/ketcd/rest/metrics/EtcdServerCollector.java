package org.ketcd.rest.metrics;

import io.prometheus.client.Collector;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.ServerStats;
import org.ketcd.api.StatusResponse;

/**
 * The member's etcd_server_*, etcd_mvcc_*, etcd_debugging_mvcc_* and etcd_disk_backend_* metrics, read from its
 * status and {@link ServerStats} at each scrape, under etcd 3.4's names and labels.
 */
final class EtcdServerCollector extends Collector {
    /** Longest a scrape waits for the member's status (it is answered locally, without Raft). */
    static final long STATUS_TIMEOUT_SECONDS = 1;
    private final EtcdServer server;

    EtcdServerCollector(EtcdServer server) {
        this.server = server;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        StatusResponse status;
        try {
            status = server.status().get(STATUS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (Exception stopping) {
            return List.of(); // the member is stopping: a scrape without its metrics, not an error page
        }
        ServerStats stats = server.stats();
        String[] version = status.version().split("\\.");
        return new Families()
                .gauge("etcd_server_has_leader", "1 while this member knows a leader, else 0.", status.leader() != 0 ? 1 : 0)
                .gauge("etcd_server_is_leader", "1 while this member leads, else 0.", status.leader() == stats.memberId() ? 1 : 0)
                .gauge("etcd_server_is_learner", "1 while this member is a learner, else 0.", status.learner() ? 1 : 0)
                .info("etcd_server_id", "This member's ID in hex, as the label of a 1.", "server_id", Long.toHexString(stats.memberId()))
                .info("etcd_server_version", "The etcd version whose API this member serves, as the label of a 1.",
                        "server_version", status.version())
                .info("etcd_cluster_version", "The cluster's version, as the label of a 1.", "cluster_version",
                        version.length >= 2 ? version[0] + "." + version[1] : status.version())
                .counter("etcd_server_leader_changes_seen_total", "Leader changes this member has seen since it started.",
                        stats.leaderChanges())
                .gauge("etcd_server_proposals_committed_total", "The Raft index this member knows to be committed.",
                        stats.committedIndex())
                .gauge("etcd_server_proposals_applied_total", "The Raft index this member has applied.",
                        status.raftAppliedIndex())
                .gauge("etcd_server_proposals_pending", "Writes proposed through this member and not answered yet.",
                        stats.proposalsPending())
                .counter("etcd_server_proposals_failed_total",
                        "Writes proposed through this member that Raft failed (timed out, no leader).", stats.proposalsFailed())
                .gauge("etcd_server_quota_backend_bytes", "The backend quota in bytes (--quota-backend-bytes).",
                        stats.quotaBackendBytes())
                .gauge("etcd_mvcc_db_total_size_in_bytes", "Bytes the store's files take on disk.", status.dbSize())
                .gauge("etcd_mvcc_db_total_size_in_use_in_bytes", "Bytes of the store's files in use.", status.dbSizeInUse())
                .gauge("etcd_debugging_mvcc_db_total_size_in_bytes", "Bytes the store's files take on disk.", status.dbSize())
                .gauge("etcd_debugging_mvcc_keys_total", "Keys in the store (deleted ones not counted).", stats.keys())
                .gauge("etcd_debugging_mvcc_current_revision", "The store's current revision.", status.revision())
                .gauge("etcd_debugging_mvcc_compact_revision", "The revision of the store's last compaction.",
                        stats.compactRevision())
                .gauge("etcd_debugging_mvcc_watcher_total", "Watchers open on this member.", stats.watchers())
                .gauge("etcd_debugging_mvcc_slow_watcher_total",
                        "Watchers reading missed revisions from the store's history.", stats.watches().slowWatchers())
                .gauge("etcd_debugging_mvcc_pending_events_total", "Events buffered for watchers, not yet sent.",
                        stats.watches().pendingEvents())
                .counter("etcd_debugging_mvcc_events_total", "Events sent to watchers by this member.",
                        stats.watches().eventsSent())
                .twinCounters("range_total", "Ranges (reads, txn compares, reads behind prev_kv and ignore_*) run by the store.",
                        stats.ops().ranges())
                .twinCounters("put_total", "Puts applied by the store.", stats.ops().puts())
                .twinCounters("delete_total", "Delete requests applied by the store (a lease revocation: one per key).",
                        stats.ops().deletes())
                .twinCounters("txn_total", "Store transactions of more than one range, put or delete.", stats.ops().txns())
                .gauge("etcd_debugging_mvcc_total_put_size_in_bytes", "The keys and values put, in bytes.",
                        stats.ops().putBytes())
                .histogram("etcd_disk_backend_commit_duration_seconds",
                        "How long the store's commits to disk took (Derby's commit with its sync).", stats.backendCommits())
                .histogram("etcd_disk_backend_defrag_duration_seconds", "How long the store's defragmentations took.",
                        stats.defrags())
                .gauge("etcd_disk_defrag_inflight", "1 while a defragmentation runs on this member, else 0.",
                        stats.defragsRunning())
                .histogram("etcd_disk_backend_snapshot_duration_seconds",
                        "How long writing a snapshot for a client took (Maintenance Snapshot).", stats.snapshots())
                .histogram("etcd_debugging_snap_save_total_duration_seconds",
                        "How long Raft snapshots took (the store made durable up to the applied entry).", stats.raftSnapshots())
                .histogram("etcd_disk_wal_fsync_duration_seconds",
                        "How long the Raft log's syncs to disk took (Ratis' write and force of a batch of entries).",
                        stats.walFsyncs())
                .counter("etcd_debugging_lease_granted_total", "Leases granted (applied on this member).",
                        stats.leases().granted())
                .counter("etcd_debugging_lease_revoked_total", "Leases revoked, by a client or on expiry (applied on this member).",
                        stats.leases().revoked())
                .counter("etcd_debugging_lease_renewed_total", "Keep-alives this member answered as the leader.",
                        stats.leases().renewed())
                .histogram("etcd_debugging_lease_ttl_total", "The TTLs leases were granted with, in seconds.",
                        stats.leases().grantedTtls())
                .histograms("etcd_network_peer_round_trip_time_seconds",
                        "Round trips of the leader's heartbeats to each follower (To: the follower's member ID).", "To",
                        peerIds(stats.peerRoundTrips()))
                .all();
    }

    private static java.util.Map<String, org.ketcd.api.DurationHistogram.Snapshot> peerIds(
            java.util.Map<Long, org.ketcd.api.DurationHistogram.Snapshot> byMember) {
        java.util.Map<String, org.ketcd.api.DurationHistogram.Snapshot> byId = new java.util.HashMap<>();
        byMember.forEach((id, h) -> byId.put(Long.toHexString(id), h));
        return byId;
    }
}
