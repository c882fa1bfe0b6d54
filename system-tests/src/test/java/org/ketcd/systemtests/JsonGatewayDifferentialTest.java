package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.Http;
import org.ketcd.systemtests.harness.Member;

/**
 * etcd's JSON gateway, curl-shaped: the same POSTs against a fresh real etcd 3.4 and a fresh bin/ketcd
 * (same flags, same writes in the same order), answers compared field by field: HTTP status and the
 * JSON after masking what legitimately differs between two clusters (cluster/member ids, raft term,
 * database sizes and indexes, member names and URLs, the server version, the backend hash, snapshot
 * bytes). Revisions, keys, values, counts, lease ids (chosen by the client) and error codes and
 * messages must be equal. Where Ketcd's message is its own by design (malformed JSON, Go's decoder
 * wording), status and gRPC code are compared. Every difference is collected and reported at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class JsonGatewayDifferentialTest {
    /** Both with the extensive metrics: the gRPC handling-time histograms are compared too. */
    private static final String[] FLAGS = {"--max-request-bytes", "65536", "--metrics", "extensive"};
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Differ between any two clusters. */
    private static final Set<String> ALWAYS_MASKED = Set.of("cluster_id", "member_id", "raft_term");

    private Member etcd;
    private Member ketcd;
    private final List<String> differences = new ArrayList<>();

    @BeforeAll
    void startBoth() {
        Member[] both = Member.startEtcdAndTarget("gateway", FLAGS);
        etcd = both[0];
        ketcd = both[1];
        Http.awaitRest(ketcd, Duration.ofSeconds(120));
    }

    @AfterAll
    void stopBoth() {
        List.of(ketcd, etcd).forEach(Member::close);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** How much of an answer must be equal. */
    enum Compare { BODY, STATUS_AND_CODE, STATUS }

    /** POSTs to both and compares status and masked JSON. */
    private void same(String path, String body, String... masked) {
        same(Compare.BODY, path, body, masked);
    }

    private void same(Compare how, String path, String body, String... masked) {
        Http.Answer e = Http.post(etcd.endpoint() + path, body);
        Http.Answer k = Http.post(ketcd.endpoint() + path, body);
        compare(how, "POST " + path + " " + abbreviate(body), e, k, Set.of(masked));
    }

    private void compare(Compare how, String what, Http.Answer e, Http.Answer k, Set<String> masked) {
        if (e.status() != k.status()) {
            differences.add(what + ": HTTP " + e.status() + " from etcd, " + k.status() + " from Ketcd\n  etcd:  "
                    + e.body() + "\n  Ketcd: " + k.body());
            return;
        }
        if (how == Compare.STATUS) {
            return;
        }
        JsonNode je = parse(e.body());
        JsonNode jk = parse(k.body());
        if (how == Compare.STATUS_AND_CODE) {
            je = je.path("code");
            jk = jk.path("code");
        } else {
            mask(je, masked);
            mask(jk, masked);
        }
        if (!je.equals(jk)) {
            differences.add(what + ":\n  etcd:  " + je + "\n  Ketcd: " + jk);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception notJson) {
            return TextNode.valueOf(body);
        }
    }

    private static void mask(JsonNode node, Set<String> extra) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (ALWAYS_MASKED.contains(f.getKey()) || extra.contains(f.getKey())) {
                    f.setValue(TextNode.valueOf("<masked>"));
                } else {
                    mask(f.getValue(), extra);
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(child -> mask(child, extra));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "...(" + s.length() + " chars)" : s;
    }

    private void assertNoDifferences() {
        List<String> found = new ArrayList<>(differences);
        differences.clear();
        assertTrue(found.isEmpty(), found.size() + " difference(s) between etcd 3.4 and Ketcd:\n" + String.join("\n", found));
    }

    /** What etcd's Grafana dashboard and alert rules read, all of which Ketcd exports. */
    static final List<String> DASHBOARD_METRICS = List.of("etcd_server_has_leader", "etcd_server_leader_changes_seen_total",
            "etcd_server_proposals_committed_total", "etcd_server_proposals_applied_total", "etcd_server_proposals_pending",
            "etcd_server_proposals_failed_total", "etcd_mvcc_db_total_size_in_bytes", "etcd_mvcc_db_total_size_in_use_in_bytes",
            "etcd_server_quota_backend_bytes", "etcd_debugging_mvcc_keys_total", "etcd_disk_backend_commit_duration_seconds",
            "etcd_disk_wal_fsync_duration_seconds",
            "grpc_server_started_total", "grpc_server_handled_total", "grpc_server_handling_seconds", "etcd_network_client_grpc_received_bytes_total",
            "etcd_network_client_grpc_sent_bytes_total", "process_resident_memory_bytes", "process_cpu_seconds_total",
            "process_open_fds", "process_max_fds");

    @Test
    void metricsUnderEtcdsNamesHaveEtcdsTypesAndLabels() {
        Map<String, String> etcdFamilies = metricFamilies(Http.get(etcd.endpoint() + "/metrics").body());
        Map<String, String> ketcdFamilies = metricFamilies(Http.get(ketcd.endpoint() + "/metrics").body());
        for (String name : DASHBOARD_METRICS) {
            if (!etcdFamilies.containsKey(name)) {
                differences.add(name + ": not exported by etcd 3.4 itself");
            }
            if (!ketcdFamilies.containsKey(name)) {
                differences.add(name + ": exported by etcd, not by Ketcd");
            }
        }
        // Whatever Ketcd exports under etcd's and gRPC's names, etcd exports too, with the same type and labels.
        ketcdFamilies.forEach((name, typeAndLabels) -> {
            if (name.startsWith("etcd_") || name.startsWith("grpc_server_") || name.startsWith("process_")) {
                if (!typeAndLabels.equals(etcdFamilies.get(name))) {
                    differences.add(name + ": Ketcd " + typeAndLabels + ", etcd " + etcdFamilies.get(name));
                }
            }
        });
        assertNoDifferences();
    }

    /** A scrape's families: name to "type [label names]" (the labels of its first sample, le of a histogram excluded). */
    private static Map<String, String> metricFamilies(String scrape) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (String line : scrape.split("\n")) {
            String[] parts = line.split(" ");
            if (line.startsWith("# TYPE ") && parts.length == 4) {
                types.put(parts[2], parts[3]);
            } else if (!line.startsWith("#") && !line.isBlank()) {
                // label values may hold blanks (jvm_info{runtime="OpenJDK Runtime Environment"})
                String sample = line.contains("{") ? line.substring(0, line.lastIndexOf('}') + 1) : parts[0];
                int brace = sample.indexOf('{');
                String family = brace < 0 ? sample : sample.substring(0, brace);
                family = family.replaceFirst("_(bucket|sum|count)$", "");
                String names = brace < 0 ? "" : String.join(",", java.util.Arrays.stream(
                                sample.substring(brace + 1, sample.lastIndexOf('}')).split(",(?=[a-z_]+=)"))
                        .filter(l -> !l.isBlank()).map(l -> l.substring(0, l.indexOf('='))).filter(l -> !l.equals("le"))
                        .sorted().toList());
                labels.putIfAbsent(family, names);
            }
        }
        Map<String, String> families = new LinkedHashMap<>();
        types.forEach((name, type) -> families.put(name, type + " [" + labels.getOrDefault(name, "") + "]"));
        return families;
    }

    @Test
    void everyGatewayRouteAnswersAsEtcd() {
        // KV
        same("/v3/kv/put", "{\"key\":\"" + b64("a") + "\",\"value\":\"" + b64("1") + "\"}");
        same("/v3/kv/put", "{\"key\":\"" + b64("b") + "\",\"value\":\"" + b64("2") + "\",\"prev_kv\":true}");
        same("/v3/kv/put", "{\"key\":\"" + b64("b") + "\",\"value\":\"" + b64("3") + "\",\"prev_kv\":true}");
        same("/v3/kv/range", "{\"key\":\"" + b64("a") + "\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("a") + "\",\"range_end\":\"" + b64("c") + "\",\"limit\":\"1\","
                + "\"sort_order\":\"DESCEND\",\"sort_target\":\"MOD\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("a") + "\",\"range_end\":\"AA==\",\"count_only\":true}");
        same("/v3/kv/range", "{\"key\":\"" + b64("a") + "\",\"range_end\":\"AA==\",\"keys_only\":true,\"revision\":\"2\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("nothing") + "\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("a") + "\",\"revision\":\"1000\"}");
        same("/v3/kv/put", "{\"key\":\"\",\"value\":\"" + b64("x") + "\"}");
        same("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + b64("a") + "\",\"result\":\"EQUAL\",\"target\":\"VALUE\",\"value\":\""
                + b64("1") + "\"}],\"success\":[{\"request_range\":{\"key\":\"" + b64("a") + "\"}},{\"request_put\":{\"key\":\""
                + b64("t") + "\",\"value\":\"" + b64("ok") + "\"}}],\"failure\":[{\"request_delete_range\":{\"key\":\""
                + b64("a") + "\"}}]}");
        same("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + b64("a") + "\",\"result\":\"GREATER\",\"target\":\"VERSION\",\"version\":\"5\"}],"
                + "\"failure\":[{\"request_range\":{\"key\":\"" + b64("b") + "\"}}]}");
        String op = "{\"request_put\":{\"key\":\"" + b64("d") + "\",\"value\":\"" + b64("1") + "\"}}";
        same("/v3/kv/txn", "{\"success\":[" + op + "," + op + "]}");
        same("/v3/kv/deleterange", "{\"key\":\"" + b64("b") + "\",\"prev_kv\":true}");
        same("/v3/kv/deleterange", "{\"key\":\"" + b64("zz") + "\"}");
        same("/v3/kv/compaction", "{\"revision\":\"3\"}");
        same("/v3/kv/range", "{\"key\":\"" + b64("a") + "\",\"revision\":\"2\"}");
        same("/v3/kv/compaction", "{\"revision\":\"100\"}");
        same("/v3beta/kv/range", "{\"key\":\"" + b64("a") + "\"}");

        // Lease (client-chosen ids, so both sides agree)
        same("/v3/lease/grant", "{\"TTL\":\"60\",\"ID\":\"1000\"}");
        same("/v3/lease/grant", "{\"TTL\":\"60\",\"ID\":\"1000\"}");
        same("/v3/kv/put", "{\"key\":\"" + b64("leased") + "\",\"value\":\"" + b64("v") + "\",\"lease\":\"1000\"}");
        same("/v3/kv/put", "{\"key\":\"" + b64("leased") + "\",\"value\":\"" + b64("v") + "\",\"lease\":\"4242\"}");
        same("/v3/lease/timetolive", "{\"ID\":\"1000\",\"keys\":true}", "TTL");
        same("/v3/kv/lease/timetolive", "{\"ID\":\"4242\"}");
        same("/v3/lease/leases", "{}");
        same("/v3/kv/lease/leases", "{}");
        same("/v3/lease/keepalive", "{\"ID\":\"1000\"}");
        same("/v3/lease/keepalive", "{\"ID\":\"4242\"}");
        same("/v3/lease/revoke", "{\"ID\":\"1000\"}");
        same("/v3/kv/lease/revoke", "{\"ID\":\"1000\"}");

        // Cluster: the only member's identity and URLs differ, refusals must not
        same("/v3/cluster/member/list", "{}", "ID", "name", "peerURLs", "clientURLs");
        same("/v3/cluster/member/remove", "{\"ID\":\"12345\"}");
        same("/v3/cluster/member/update", "{\"ID\":\"12345\",\"peerURLs\":[\"http://127.0.0.1:1\"]}");
        same("/v3/cluster/member/promote", "{\"ID\":\"12345\"}");
        same("/v3/cluster/member/add", "{\"peerURLs\":[\"not a url\"]}");

        // Maintenance
        same("/v3/maintenance/status", "{}", "dbSize", "dbSizeInUse", "leader", "raftIndex", "raftTerm",
                "raftAppliedIndex");
        same("/v3/maintenance/alarm", "{}");
        same("/v3/maintenance/alarm", "{\"action\":\"GET\"}");
        same("/v3/maintenance/defragment", "{}");
        same("/v3/maintenance/hash", "{}", "hash");
        same("/v3/maintenance/transfer-leadership", "{\"targetID\":\"12345\"}");
        same(Compare.STATUS, "/v3/maintenance/snapshot", "{}");
        assertNoDifferences();
    }

    @Test
    void lockAndElectionRoutesAnswerAsEtcd() {
        same("/v3/lease/grant", "{\"TTL\":\"60\",\"ID\":\"2000\"}");
        same("/v3/lock/lock", "{\"name\":\"" + b64("mylock") + "\",\"lease\":\"2000\"}");
        same("/v3/lock/unlock", "{\"key\":\"" + b64("mylock/7d0") + "\"}");
        same("/v3/election/campaign", "{\"name\":\"" + b64("el") + "\",\"lease\":\"2000\",\"value\":\"" + b64("me") + "\"}");
        same("/v3/election/leader", "{\"name\":\"" + b64("el") + "\"}");
        same("/v3/election/proclaim", "{\"leader\":{\"name\":\"" + b64("el") + "\",\"key\":\"" + b64("el/7d0") + "\",\"rev\":\"0\","
                + "\"lease\":\"2000\"},\"value\":\"" + b64("again") + "\"}", "rev");
        same("/v3/election/resign", "{\"leader\":{\"name\":\"" + b64("el") + "\",\"key\":\"" + b64("el/7d0") + "\",\"lease\":\"2000\"}}");
        same("/v3/election/leader", "{\"name\":\"" + b64("el") + "\"}");
        same("/v3/election/proclaim", "{\"value\":\"" + b64("no leader key") + "\"}");
        same("/v3/election/resign", "{}");
        same("/v3/lease/revoke", "{\"ID\":\"2000\"}");
        assertNoDifferences();
    }

    @Test
    void watchStreamsTheSameLinesAsEtcd() {
        List<List<String>> answers = new ArrayList<>();
        for (Member m : List.of(etcd, ketcd)) {
            long revision = Long.parseLong(JSON.valueToTree(parse(Http.post(m.endpoint() + "/v3/kv/range", "{\"key\":\"" + b64("w")
                    + "\"}").body())).path("header").path("revision").asText());
            answers.add(Http.streamLines(m.endpoint() + "/v3/watch", "{\"create_request\":{\"key\":\"" + b64("w") + "\",\"range_end\":\""
                    + b64("x") + "\",\"start_revision\":\"" + (revision + 1) + "\",\"prev_kv\":true}}", 3, Duration.ofSeconds(5),
                    () -> {
                        Http.post(m.endpoint() + "/v3/kv/put", "{\"key\":\"" + b64("w1") + "\",\"value\":\"" + b64("1") + "\"}");
                        Http.post(m.endpoint() + "/v3/kv/deleterange", "{\"key\":\"" + b64("w1") + "\"}");
                    }));
        }
        assertEquals(3, answers.get(0).size(), "etcd: " + answers.get(0));
        for (int i = 0; i < 3; i++) {
            compare(Compare.BODY, "watch line " + i, new Http.Answer(200, answers.get(0).get(i), null),
                    new Http.Answer(200, i < answers.get(1).size() ? answers.get(1).get(i) : "<missing>", null), Set.of());
        }
        // a watch from a compacted revision is canceled with the compact revision
        same("/v3/kv/compaction", "{\"revision\":\"" + currentRevision(etcd) + "\"}");
        List<String> e = Http.streamLines(etcd.endpoint() + "/v3/watch", "{\"create_request\":{\"key\":\"" + b64("w")
                + "\",\"start_revision\":\"1\"}}", 2, Duration.ofSeconds(5), null);
        List<String> k = Http.streamLines(ketcd.endpoint() + "/v3/watch", "{\"create_request\":{\"key\":\"" + b64("w")
                + "\",\"start_revision\":\"1\"}}", 2, Duration.ofSeconds(5), null);
        compare(Compare.BODY, "watch from a compacted revision", new Http.Answer(200, String.join("\n", e), null),
                new Http.Answer(200, String.join("\n", k), null), Set.of());
        assertNoDifferences();
    }

    private static long currentRevision(Member m) {
        return parse(Http.post(m.endpoint() + "/v3/kv/range", "{\"key\":\"" + b64("w") + "\"}").body())
                .path("header").path("revision").asLong();
    }

    @Test
    void badInputGivesTheSameStatusAndCodeAndChangesNothing() {
        long before = currentRevision(ketcd);
        same(Compare.STATUS_AND_CODE, "/v3/kv/put", "{\"key\":\"" + b64("broken"));
        same(Compare.STATUS_AND_CODE, "/v3/kv/put", "{\"key\":\"!!!\",\"value\":\"" + b64("v") + "\"}");
        same(Compare.STATUS_AND_CODE, "/v3/kv/range", "[1]");
        same("/v3/kv/put", "{\"key\":\"" + b64("big") + "\",\"value\":\"" + b64("x".repeat(70_000)) + "\"}");
        same("/v3/kv/put", "{\"key\":\"" + b64("big") + "\",\"value\":\"" + b64("x".repeat(65_536 + 512 * 1024 + 100)) + "\"}");
        same("/v3/kv/nothing", "{}");
        Http.Answer e = Http.get(etcd.endpoint() + "/v3/kv/range");
        Http.Answer k = Http.get(ketcd.endpoint() + "/v3/kv/range");
        compare(Compare.STATUS, "GET /v3/kv/range", e, k, Set.of());
        assertEquals(before, currentRevision(ketcd), "a refused request changed Ketcd's store");
        assertNoDifferences();
    }

    @Test
    void healthAndVersionAnswerAsEtcd() {
        compare(Compare.BODY, "GET /health", Http.get(etcd.endpoint() + "/health"), Http.get(ketcd.endpoint() + "/health"), Set.of());
        compare(Compare.BODY, "GET /version", Http.get(etcd.endpoint() + "/version"), Http.get(ketcd.endpoint() + "/version"),
                Set.of());
        assertNoDifferences();
    }

    @Test
    void wholeAnswersCarryTheirLengthAndTheGrpcContentTypeAsEtcd() {
        String put = "{\"key\":\"" + b64("len") + "\",\"value\":\"" + b64("v") + "\"}";
        for (Member m : List.of(etcd, ketcd)) {
            Map<String, Http.Answer> answers = new LinkedHashMap<>();
            answers.put("GET /version", Http.get(m.endpoint() + "/version"));
            answers.put("GET /health", Http.get(m.endpoint() + "/health"));
            answers.put("POST /v3/kv/put", Http.post(m.endpoint() + "/v3/kv/put", put));
            answers.put("POST /v3/kv/range (bad base64)", Http.post(m.endpoint() + "/v3/kv/range", "{\"key\":\"!!\"}"));
            answers.forEach((what, a) -> {
                assertEquals(String.valueOf(a.body().getBytes(StandardCharsets.UTF_8).length),
                        a.headers().firstValue("Content-Length").orElse("none"), m + ": " + what + ": Content-Length");
                assertEquals(what.equals("POST /v3/kv/put") ? "application/grpc" : "none",
                        a.headers().firstValue("Grpc-Metadata-Content-Type").orElse("none"), m + ": " + what);
            });
        }
    }
}
