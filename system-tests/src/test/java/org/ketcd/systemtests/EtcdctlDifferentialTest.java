package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.EtcdctlComparison;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * Runs the same etcdctl commands against a real etcd 3.4 and against Ketcd (both fresh single-member
 * clusters started with the same flags) and requires the same exit code, stdout and stderr after
 * {@link Normalizer normalisation}. Revisions are compared exactly: both sides receive the same writes in
 * the same order. Each test collects every difference it sees and fails at the end listing all of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EtcdctlDifferentialTest {

    /** Small limits so the size/ops errors are cheap to provoke; also checks that Ketcd honours the flags. */
    private static final String[] FLAGS = {"--max-txn-ops", "8", "--max-request-bytes", "65536"};

    private Member etcd;
    private Member ketcd;
    private final List<String> differences = new ArrayList<>();
    private final List<String> padding = new ArrayList<>();
    private EtcdctlComparison comparison;

    @BeforeAll
    void startBoth() {
        etcd = Member.start(Member.Kind.ETCD, "diff", FLAGS);
        try {
            ketcd = Member.start(Member.Kind.target(), "diff", FLAGS);
            comparison = new EtcdctlComparison(etcd, ketcd, differences);
        } catch (RuntimeException | Error e) {
            etcd.close();
            throw e;
        }
    }

    @AfterAll
    void stopBoth() {
        try {
            if (ketcd != null) {
                ketcd.close();
            }
        } finally {
            if (etcd != null) {
                etcd.close();
            }
        }
    }

    /**
     * Earlier failures can leave the two stores at different revisions; pad the lower one with throw-away
     * puts so every test starts from the same revision (and say so in failure messages).
     */
    @BeforeEach
    void alignRevisions(TestInfo info) {
        differences.clear();
        long re = revision(etcd);
        long rk = revision(ketcd);
        if (re != rk) {
            padding.add("before " + info.getDisplayName() + ": etcd at revision " + re + ", Ketcd at " + rk);
            Member lower = re < rk ? etcd : ketcd;
            for (long i = Math.min(re, rk); i < Math.max(re, rk); i++) {
                lower.ctl("put", "/pad", "x");
            }
        }
    }

    @AfterEach
    void reportDifferences() {
        if (!differences.isEmpty()) {
            fail(differences.size() + " difference(s) between etcd and Ketcd:\n\n" + String.join("\n\n", differences)
                    + (padding.isEmpty() ? "" : "\n\n(revision padding happened earlier: " + padding + ")"));
        }
    }

    // ------------------------------------------------------------------------------------------- tests

    @Test
    void put_and_get_print_the_same_key_values() {
        same("put", "/t/put/a", "1");
        same("put", "/t/put/a", "2");
        same("put", "/t/put/b", "hello world");
        same("put", "/t/put/a", "3", "--prev-kv");
        same("put", "/t/put/a", "4", "--prev-kv", "-w", "json");
        same("put", "/t/put/c", "x", "-w", "json");
        same("get", "/t/put/a");
        same("get", "/t/put/a", "-w", "json");
        same("get", "/t/put/a", "-w", "fields");
        same("get", "/t/put/a", "--print-value-only");
        same("get", "/t/put/b", "--hex");
        same("get", "/t/put/missing");
        same("get", "/t/put/missing", "-w", "json");
        same("put", "/t/put/a", "--ignore-value", "-w", "json");
        same("get", "/t/put/a", "-w", "json");
        sameStdin("value from stdin\nsecond line", "put", "/t/put/stdin");
        same("get", "/t/put/stdin", "-w", "json");
        same("put", "/t/put/empty", "");
        same("get", "/t/put/empty", "-w", "json");
    }

    @Test
    void get_with_prefix_limit_sort_and_projection_options() {
        for (String k : List.of("e", "a", "d", "b", "c")) {
            same("put", "/t/range/" + k, "v-" + k);
        }
        same("put", "/t/range/b", "v-b2");
        same("put", "/t/range/d", "v-d2");
        same("put", "/t/rangeX", "outside");
        same("get", "/t/range/", "--prefix");
        same("get", "/t/range/", "--prefix", "-w", "json");
        same("get", "/t/range/", "--prefix", "--limit", "2");
        same("get", "/t/range/", "--prefix", "--limit", "2", "-w", "json");
        same("get", "/t/range/", "--prefix", "--sort-by=MODIFY", "--order=DESCEND");
        same("get", "/t/range/", "--prefix", "--sort-by=MODIFY", "--order=DESCEND", "--limit", "3", "-w", "json");
        same("get", "/t/range/", "--prefix", "--sort-by=CREATE", "--order=ASCEND");
        same("get", "/t/range/", "--prefix", "--sort-by=VERSION", "--order=DESCEND");
        same("get", "/t/range/", "--prefix", "--sort-by=VALUE", "--order=DESCEND");
        same("get", "/t/range/", "--prefix", "--order=DESCEND");
        same("get", "/t/range/", "--prefix", "--keys-only");
        same("get", "/t/range/", "--prefix", "--keys-only", "-w", "json");
        same("get", "/t/range/", "--prefix", "--count-only", "-w", "fields");
        same("get", "/t/range/", "--prefix", "--count-only", "-w", "json");
        same("get", "/t/range/", "--prefix", "--print-value-only");
        same("get", "/t/range/b", "/t/range/d");
        same("get", "/t/range/b", "/t/range/d", "-w", "json");
        same("get", "/t/range/", "--prefix", "--consistency=s");
        for (String k : List.of("a", "b", "c")) {
            same("put", "~fromkey/" + k, k);
        }
        same("get", "~fromkey/b", "--from-key");
        same("get", "~fromkey/b", "--from-key", "--keys-only", "-w", "json");
        same("get", "~fromkey/", "--from-key", "--limit", "1");
    }

    @Test
    void get_at_an_older_revision_returns_the_historic_value() {
        long r1 = rev(same("put", "/t/rev/k", "v1", "-w", "json"));
        long r2 = rev(same("put", "/t/rev/k", "v2", "-w", "json"));
        same("put", "/t/rev/other", "o");
        long r3 = rev(same("del", "/t/rev/k", "-w", "json"));
        same("get", "/t/rev/k", "--rev=" + r1);
        same("get", "/t/rev/k", "--rev=" + r1, "-w", "json");
        same("get", "/t/rev/k", "--rev=" + r2, "-w", "json");
        same("get", "/t/rev/k", "--rev=" + r3, "-w", "json");
        same("get", "/t/rev/", "--prefix", "--rev=" + r2, "-w", "json");
        same("get", "/t/rev/k");
        same("put", "/t/rev/k", "v3");
        same("get", "/t/rev/k", "-w", "json"); // recreated after delete: new create_revision, version 1
    }

    @Test
    void del_reports_deleted_count_and_previous_values() {
        for (String k : List.of("a", "b", "p/1", "p/2", "p/3", "r/a", "r/b", "r/c")) {
            same("put", "/t/del/" + k, k);
        }
        same("del", "/t/del/a");
        same("del", "/t/del/a");
        same("del", "/t/del/missing", "-w", "json");
        same("del", "/t/del/b", "--prev-kv");
        same("del", "/t/del/p/", "--prefix", "--prev-kv", "-w", "json");
        same("del", "/t/del/r/a", "/t/del/r/c");
        same("get", "/t/del/", "--prefix");
        for (String k : List.of("a", "b")) {
            same("put", "~~del/" + k, k);
        }
        same("del", "~~del/", "--from-key", "--prev-kv");
        same("get", "/t/del/", "--prefix", "-w", "json");
    }

    @Test
    void txn_from_stdin_takes_the_success_branch_when_compares_hold() {
        same("put", "/t/txn/k", "v1");
        sameStdin("value(\"/t/txn/k\") = \"v1\"\n\nput /t/txn/k v2\nget /t/txn/k\n\nput /t/txn/k failed\n\n",
                "txn");
        same("get", "/t/txn/k", "-w", "json");
        sameStdin("mod(\"/t/txn/k\") > \"0\"\nversion(\"/t/txn/k\") = \"2\"\n\nput /t/txn/j j1\ndel /t/txn/k\nget /t/txn/ --prefix\n\nput /t/txn/k failed\n\n",
                "txn", "-w", "json");
        same("get", "/t/txn/", "--prefix", "-w", "json");
    }

    @Test
    void txn_from_stdin_takes_the_failure_branch_when_a_compare_fails() {
        same("put", "/t/txnf/k", "v1");
        sameStdin("value(\"/t/txnf/k\") = \"nope\"\n\nput /t/txnf/k success\n\nput /t/txnf/k failure\nget /t/txnf/k\n\n",
                "txn");
        sameStdin("create(\"/t/txnf/missing\") > \"0\"\n\nput /t/txnf/k success\n\nget /t/txnf/k\ndel /t/txnf/k --prev-kv\n\n",
                "txn", "-w", "json");
        sameStdin("\nput /t/txnf/nocompare yes\n\n\n", "txn", "-w", "json");
        same("get", "/t/txnf/", "--prefix", "-w", "json");
    }

    @Test
    void compaction_then_reading_a_compacted_revision_fails_with_the_etcd_error() {
        long r1 = rev(same("put", "/t/compact/k", "v1", "-w", "json"));
        long r2 = rev(same("put", "/t/compact/k", "v2", "-w", "json"));
        long r3 = rev(same("put", "/t/compact/k", "v3", "-w", "json"));
        same("compaction", String.valueOf(r2));
        same("get", "/t/compact/k", "--rev=" + r1);
        same("get", "/t/compact/k", "--rev=" + r2, "-w", "json");
        same("get", "/t/compact/k", "--rev=" + r3, "-w", "json");
        same("compaction", String.valueOf(r1));
        same("compaction", String.valueOf(r2));
        same("compaction", String.valueOf(r3 + 1000));
        same("compaction", String.valueOf(r3), "--physical");
        same("get", "/t/compact/k", "--rev=" + r2);
        same("get", "/t/compact/k", "-w", "json");
        same("endpoint", "hashkv", "-w", "json");
    }

    @Test
    void errors_have_the_same_text_and_exit_code() {
        long current = revision(etcd);
        same("get", "/t/err/k", "--rev=" + (current + 1000));
        same("put", "", "v");
        same("get", "");
        same("del", "");
        same("put", "/t/err/missing", "--ignore-value");
        same("put", "/t/err/k", "v", "--lease=1234");
        sameStdin("x".repeat(70_000), "put", "/t/err/too-large");
        StringBuilder nineOps = new StringBuilder("\n");
        for (int i = 0; i < 9; i++) {
            nineOps.append("put /t/err/op").append(i).append(" v\n");
        }
        sameStdin(nineOps.append("\n\n").toString(), "txn");
        sameStdin("value(\"/t/err/a\") = \"x\"\n\nput /t/err/a x\nput /t/err/a y\n\n\n", "txn");
        same("get", "/t/err/", "--prefix", "-w", "json");
    }

    @Test
    void leases_grant_attach_and_revoke_the_same_way() {
        same("lease", "revoke", "1234");
        same("lease", "timetolive", "1234");
        same("lease", "keep-alive", "--once", "1234");
        CommandResult e = etcd.ctl("lease", "grant", "600");
        CommandResult k = ketcd.ctl("lease", "grant", "600");
        comparison.compare(new String[] {"lease", "grant", "600"}, e, k);
        String le = leaseId(e);
        String lk = leaseId(k);
        if (le == null || lk == null) {
            return;
        }
        same(m -> new String[] {"put", "/t/lease/k", "v", "--lease=" + (m == etcd ? le : lk)});
        same("get", "/t/lease/k", "-w", "json");
        same(m -> new String[] {"lease", "timetolive", m == etcd ? le : lk, "--keys"});
        same("lease", "list");
        same(m -> new String[] {"lease", "revoke", m == etcd ? le : lk});
        same("get", "/t/lease/k", "-w", "json");
        same(m -> new String[] {"lease", "timetolive", m == etcd ? le : lk});
    }

    @Test
    void the_log_has_etcds_readiness_lines_that_tools_wait_for() throws Exception {
        for (Member m : List.of(etcd, ketcd)) {
            URI url = URI.create(m.endpoint());
            List<String> lines = List.of("ready to serve client requests", "enabled capabilities for version 3.4",
                    "published {Name:" + m.name() + " ClientURLs:[" + m.endpoint() + "]} to cluster ",
                    "serving insecure client requests on " + url.getHost() + ":" + url.getPort() + ", this is strongly discouraged!");
            // a member may answer before its publish is applied and logged: wait for the lines, not for a time
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            List<String> missing = lines;
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                String log = Files.readString(m.logFile(), StandardCharsets.UTF_8);
                missing = lines.stream().filter(line -> !log.contains(line)).toList();
                if (!missing.isEmpty()) {
                    Member.sleep(200);
                }
            }
            missing.forEach(line -> differences.add(m + "'s log lacks \"" + line + "\""));
        }
    }

    @Test
    void endpoint_status_json_has_the_same_fields() {
        CommandResult e = etcd.ctl("endpoint", "status", "-w", "json");
        CommandResult k = ketcd.ctl("endpoint", "status", "-w", "json");
        sameShape("endpoint status -w json", e, k);
        if (e.ok() && k.ok()) {
            JsonNode se = Normalizer.json(e).path(0).path("Status");
            JsonNode sk = Normalizer.json(k).path(0).path("Status");
            check("endpoint status: header.revision", se.path("header").path("revision").asLong(),
                    sk.path("header").path("revision").asLong(), e, k);
            check("endpoint status: single member is its own leader", true,
                    sk.path("leader").asLong() == sk.path("header").path("member_id").asLong(), e, k);
            check("endpoint status: dbSize > 0", true, sk.path("dbSize").asLong() > 0, e, k);
            check("endpoint status: version", se.path("version").asText(), sk.path("version").asText(), e, k);
        }
        CommandResult me = etcd.ctl("member", "list", "-w", "json");
        CommandResult mk = ketcd.ctl("member", "list", "-w", "json");
        sameShape("member list -w json", me, mk);
        same("endpoint", "health");
    }

    @Test
    void endpoint_hashkv_is_the_same_for_the_same_history() {
        same("put", "/t/hash/k", "v");
        same("endpoint", "hashkv");
        same("endpoint", "hashkv", "-w", "json");
        long r = revision(etcd);
        same("put", "/t/hash/k", "v2");
        same("endpoint", "hashkv", "--rev=" + r, "-w", "json");
    }

    @Test
    void defrag_succeeds_and_keeps_the_data() {
        same("put", "/t/defrag/k", "v");
        same("defrag");
        same("get", "/t/defrag/k", "-w", "json");
        same("put", "/t/defrag/k", "v2", "-w", "json");
    }

    @Test
    void alarm_list_is_empty_on_a_healthy_member() {
        same("alarm", "list");
        same("alarm", "disarm");
    }

    // ---------------------------------------------------------------------------------------- helpers

    private CommandResult same(String... args) {
        return comparison.same(args);
    }

    private CommandResult sameStdin(String stdin, String... args) {
        return comparison.sameStdin(stdin, args);
    }

    private void same(Function<Member, String[]> args) {
        comparison.same(args);
    }

    private void sameShape(String what, CommandResult e, CommandResult k) {
        TreeSet<String> se = Normalizer.shape(e.stdout());
        TreeSet<String> sk = Normalizer.shape(k.stdout());
        if (e.exitCode() != k.exitCode() || !se.equals(sk)) {
            TreeSet<String> missing = new TreeSet<>(se);
            missing.removeAll(sk);
            TreeSet<String> extra = new TreeSet<>(sk);
            extra.removeAll(se);
            differences.add("### " + what + ": different JSON fields; missing in Ketcd " + missing + ", only in Ketcd "
                    + extra + "\n=== raw etcd ===\n" + e + "\n=== raw Ketcd ===\n" + k);
        }
    }

    private void check(String what, Object expected, Object actual, CommandResult e, CommandResult k) {
        if (!expected.equals(actual)) {
            differences.add("### " + what + ": etcd " + expected + ", Ketcd " + actual + "\n=== raw etcd ===\n" + e
                    + "\n=== raw Ketcd ===\n" + k);
        }
    }

    private static long rev(CommandResult r) {
        return Normalizer.json(r).path("header").path("revision").asLong();
    }

    private static long revision(Member m) {
        CommandResult r = m.ctl("get", "/rev-probe", "-w", "json");
        assertEquals(0, r.exitCode(), () -> "cannot read the revision of " + m + "\n" + r);
        return rev(r);
    }

    private String leaseId(CommandResult r) {
        String[] words = r.stdout().trim().split("\\s+");
        if (!r.ok() || words.length < 2 || !words[0].equals("lease")) {
            differences.add("### lease grant printed no lease id\n" + r);
            return null;
        }
        return words[1];
    }
}
