package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} as Prometheus scrapes it: the text format, under etcd 3.4's names, with values that follow
 * what the member does.
 */
@Timeout(120)
class MetricsTest {
    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(1, "--quota-backend-bytes", "123456789");
    static RestCluster cluster;

    @BeforeAll
    static void bind() {
        cluster = CLUSTER.cluster();
    }

    @Test
    void aScrapeIsPrometheusTextWithEtcdsServerMetricsThatFollowTheStore() throws Exception {
        Map<String, Double> before = scrape();
        for (int i = 0; i < 5; i++) {
            put("metrics/k" + i);
        }
        put("metrics/k0"); // a new version of a key: one key more in total only for the first five
        // the store commits to disk in batches, every 100 ms as etcd's backend does
        String commits = "etcd_disk_backend_commit_duration_seconds_count";
        Map<String, Double> after = scrape();
        for (long deadline = System.nanoTime() + 10_000_000_000L;
             after.get(commits) <= before.get(commits) && System.nanoTime() < deadline; after = scrape()) {
            Thread.sleep(50);
        }

        assertEquals(1.0, after.get("etcd_server_has_leader"));
        assertEquals(1.0, after.get("etcd_server_is_leader"));
        assertEquals(0.0, after.get("etcd_server_is_learner"));
        assertEquals(123456789.0, after.get("etcd_server_quota_backend_bytes"));
        assertEquals(5.0, after.get("etcd_debugging_mvcc_keys_total") - before.get("etcd_debugging_mvcc_keys_total"));
        assertEquals(6.0, after.get("etcd_debugging_mvcc_current_revision") - before.get("etcd_debugging_mvcc_current_revision"));
        assertTrue(after.get("etcd_server_proposals_committed_total") >= before.get("etcd_server_proposals_committed_total") + 1);
        assertTrue(after.get("etcd_server_proposals_applied_total") >= before.get("etcd_server_proposals_applied_total") + 1);
        assertTrue(after.get("etcd_server_leader_changes_seen_total") >= 1, "the member saw itself elected");
        assertTrue(after.get("etcd_mvcc_db_total_size_in_bytes") > 0);
        assertTrue(after.get(commits) > before.get(commits), "the puts were committed to disk");
        assertEquals(after.get(commits),
                after.get("etcd_disk_backend_commit_duration_seconds_bucket{le=\"+Inf\"}"));
        // each put is in the Raft log, synced to disk before it is acknowledged (a sync may carry several entries)
        String syncs = "etcd_disk_wal_fsync_duration_seconds_count";
        assertTrue(after.get(syncs) >= before.get(syncs) + 1, "the puts' Raft log syncs: " + before.get(syncs) + " -> " + after.get(syncs));
        assertEquals(after.get(syncs), after.get("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"+Inf\"}"));
        assertTrue(after.get("etcd_disk_wal_fsync_duration_seconds_sum") > 0);
        String puts = "{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}";
        assertEquals(6.0, after.get("grpc_server_started_total" + puts) - before.get("grpc_server_started_total" + puts),
                "the gateway's puts count as gRPC calls, as etcd's gateway calls its own gRPC server");
        String okPuts = "{grpc_code=\"OK\",grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}";
        assertEquals(6.0, after.get("grpc_server_handled_total" + okPuts) - before.get("grpc_server_handled_total" + okPuts));
        assertTrue(after.get("etcd_network_client_grpc_received_bytes_total") > before.get("etcd_network_client_grpc_received_bytes_total"));
        assertTrue(after.get("process_resident_memory_bytes") > 0);
        assertTrue(after.get("process_open_fds") > 0);
    }

    @Test
    void labelledMetricsCarryTheMemberIdAndVersionsAsEtcdDoes() throws Exception {
        HttpResponse<String> r = cluster.get(0, "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"), r.headers().toString());
        String id = Long.toHexString(cluster.cluster().member(0).memberId());
        assertTrue(r.body().contains("etcd_server_id{server_id=\"" + id + "\",} 1.0"), r.body());
        assertTrue(Pattern.compile("etcd_server_version\\{server_version=\"3\\.4\\.\\d+\",} 1\\.0").matcher(r.body()).find());
        assertTrue(r.body().contains("etcd_cluster_version{cluster_version=\"3.4\",} 1.0"));
        assertTrue(r.body().contains("# TYPE etcd_server_leader_changes_seen_total counter"));
        assertTrue(r.body().contains("# TYPE etcd_disk_backend_commit_duration_seconds histogram"));
        assertTrue(r.body().contains("etcd_disk_backend_commit_duration_seconds_bucket{le=\"0.001\",}"));
        assertTrue(r.body().contains("etcd_disk_backend_commit_duration_seconds_bucket{le=\"8.192\",}"));
    }

    @Test
    void leaseGrantsKeepAlivesAndRevokesAreCountedAsEtcdCountsThem() throws Exception {
        Map<String, Double> before = scrape();
        HttpResponse<String> grant = cluster.post(0, "/v3/lease/grant", "{\"TTL\":60}");
        assertEquals(200, grant.statusCode(), grant.body());
        String id = grant.body().replaceAll(".*\"ID\":\"?(\\d+)\"?.*", "$1");
        assertEquals(200, cluster.post(0, "/v3/lease/keepalive", "{\"ID\":" + id + "}").statusCode());
        assertEquals(200, cluster.post(0, "/v3/lease/revoke", "{\"ID\":" + id + "}").statusCode());
        Map<String, Double> after = scrape();
        assertEquals(1.0, after.get("etcd_debugging_lease_granted_total") - before.get("etcd_debugging_lease_granted_total"));
        assertEquals(1.0, after.get("etcd_debugging_lease_renewed_total") - before.get("etcd_debugging_lease_renewed_total"));
        assertEquals(1.0, after.get("etcd_debugging_lease_revoked_total") - before.get("etcd_debugging_lease_revoked_total"));
        assertEquals(1.0, after.get("etcd_debugging_lease_ttl_total_count") - before.get("etcd_debugging_lease_ttl_total_count"));
        assertEquals(60.0, after.get("etcd_debugging_lease_ttl_total_sum") - before.get("etcd_debugging_lease_ttl_total_sum"), 1e-6);
        assertEquals(1.0, after.get("etcd_debugging_lease_ttl_total_bucket{le=\"64\"}")
                - before.get("etcd_debugging_lease_ttl_total_bucket{le=\"64\"}"), "a 60 s TTL in the bucket up to 64 s");
        assertEquals(0.0, after.get("etcd_debugging_lease_ttl_total_bucket{le=\"32\"}")
                - before.get("etcd_debugging_lease_ttl_total_bucket{le=\"32\"}"));
    }

    @Test
    void storeOperationsAndWatchEventsAreCountedAsEtcdCountsThem() throws Exception {
        Map<String, Double> before = scrape();
        HttpResponse<Stream<String>> stream = cluster.gatewayWatch(0, "{\"create_request\":{\"key\":\"" + b64("mw/")
                + "\",\"range_end\":\"" + b64("mw0") + "\"}}");
        Iterator<String> lines = stream.body().iterator();
        assertTrue(lines.next().contains("\"created\":true"));
        Map<String, Double> watching = scrape();
        assertEquals(1.0, delta(before, watching, "etcd_debugging_mvcc_watch_stream_total"), "the gateway's watch is a stream");
        assertEquals(1.0, delta(before, watching, "etcd_debugging_mvcc_watcher_total"));

        put("mw/a");
        assertEquals(200, cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("mw/b") + "\",\"value\":\"" + b64("mw/b")
                + "\",\"prev_kv\":true}").statusCode());
        assertEquals(200, cluster.post(0, "/v3/kv/range", "{\"key\":\"" + b64("mw/a") + "\"}").statusCode());
        assertEquals(200, cluster.post(0, "/v3/kv/deleterange", "{\"key\":\"" + b64("mw/a") + "\",\"prev_kv\":true}").statusCode());
        int events = 0;
        while (events < 3) {
            events += lines.next().split("\"kv\":", -1).length - 1; // one revision per line here
        }
        Map<String, Double> after = scrape();
        // as real etcd 3.4 counts the same four requests: prev_kv reads the key first, in the same store transaction
        assertEquals(3.0, delta(before, after, "etcd_mvcc_range_total"), "the range and the two prev_kv reads");
        assertEquals(2.0, delta(before, after, "etcd_mvcc_put_total"));
        assertEquals(1.0, delta(before, after, "etcd_mvcc_delete_total"));
        assertEquals(2.0, delta(before, after, "etcd_mvcc_txn_total"), "the put and the delete with prev_kv");
        assertEquals(2.0, delta(before, after, "etcd_debugging_mvcc_put_total"));
        assertEquals(16.0, delta(before, after, "etcd_debugging_mvcc_total_put_size_in_bytes"), "two keys and values of 4 bytes");
        assertEquals(3.0, delta(before, after, "etcd_debugging_mvcc_events_total"), "the events the stream was sent");
        assertEquals(0.0, after.get("etcd_debugging_mvcc_pending_events_total"));
        assertEquals(0.0, after.get("etcd_debugging_mvcc_slow_watcher_total"));

        stream.body().close();
        Map<String, Double> closed = scrape();
        for (long deadline = System.nanoTime() + 10_000_000_000L;
             delta(before, closed, "etcd_debugging_mvcc_watch_stream_total") != 0 && System.nanoTime() < deadline; closed = scrape()) {
            Thread.sleep(50);
        }
        assertEquals(0.0, delta(before, closed, "etcd_debugging_mvcc_watch_stream_total"), "the stream ended with its client");
    }

    @Test
    void defragmentationsAndSnapshotsAreTimedInEtcdsBuckets() throws Exception {
        Map<String, Double> before = scrape();
        assertEquals(200, cluster.post(0, "/v3/maintenance/defragment", "{}").statusCode());
        HttpResponse<String> snapshot = cluster.post(0, "/v3/maintenance/snapshot", "{}");
        assertEquals(200, snapshot.statusCode());
        Map<String, Double> after = scrape();
        assertEquals(1.0, delta(before, after, "etcd_disk_backend_defrag_duration_seconds_count"));
        assertEquals(1.0, delta(before, after, "etcd_disk_backend_snapshot_duration_seconds_count"));
        assertEquals(0.0, after.get("etcd_disk_defrag_inflight"));
        assertTrue(after.containsKey("etcd_disk_backend_defrag_duration_seconds_bucket{le=\"409.6\"}"), "etcd's last bound");
        assertTrue(after.containsKey("etcd_disk_backend_snapshot_duration_seconds_bucket{le=\"655.36\"}"), "etcd's last bound");
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.get(name) - before.get(name);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }

    private static void put(String key) throws Exception {
        String b64 = Base64.getEncoder().encodeToString(key.getBytes());
        HttpResponse<String> r = cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64 + "\",\"value\":\"" + b64 + "\"}");
        assertEquals(200, r.statusCode(), r.body());
    }

    /** Every sample of a scrape: name with its labels as printed (none for most) to value. */
    static Map<String, Double> scrape() throws Exception {
        return scrape(cluster, 0);
    }

    /** Every sample of member {@code i}'s /metrics. */
    static Map<String, Double> scrape(RestCluster cluster, int i) throws Exception {
        HttpResponse<String> r = cluster.get(i, "/metrics");
        assertEquals(200, r.statusCode());
        Map<String, Double> samples = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^([a-z_]+(?:\\{[^}]*})?) (\\S+)$").matcher(r.body());
        while (m.find()) {
            samples.put(m.group(1).replace(",}", "}"), Double.parseDouble(m.group(2)));
        }
        return samples;
    }
}
