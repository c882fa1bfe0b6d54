package org.ketcd.systemtests.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns an etcdctl result into text that must be identical between etcd and Ketcd: everything that
 * legitimately differs between two clusters (endpoint, cluster/member id, raft term, log timestamps,
 * client ids) is replaced by a placeholder. Revisions are kept: both sides start fresh and receive the
 * same writes, so revisions must match exactly.
 */
public final class Normalizer {
    public static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern IDS = Pattern.compile("\"(cluster_id|member_id|raft_term|leader|ID|id|lease)\":\\d+");
    private static final Pattern MEMBER_ID_TEXT = Pattern.compile("memberID:\\d+");
    /** -w fields prints e.g. {@code "ClusterID" : 15875391935852295136}. */
    private static final Pattern FIELD_IDS = Pattern.compile("\"(ClusterID|MemberID|RaftTerm|ID)\" : \\d+");
    /** Lease ids are generated from the member id and the clock: they always differ. */
    private static final Pattern LEASE_HEX = Pattern.compile("lease [0-9a-f]+ ");
    /** `lease list` prints one hex id a line. */
    private static final Pattern LEASE_LINE = Pattern.compile("(?m)^[0-9a-f]{16}$");
    private static final Pattern TOOK = Pattern.compile("took = \\S+");
    /** Remaining TTL is read at slightly different moments on the two clusters. */
    private static final Pattern REMAINING = Pattern.compile("remaining\\(\\d+s\\)");

    private Normalizer() {
    }

    public static String normalize(CommandResult r, Member m) {
        return "exit=" + r.exitCode() + (r.timedOut() ? " TIMED OUT" : "")
                + "\n--- stdout ---\n" + stdout(r.stdout(), m)
                + "\n--- stderr ---\n" + stderr(r.stderr(), m);
    }

    public static String stdout(String s, Member m) {
        s = endpoints(s, m);
        s = IDS.matcher(s).replaceAll("\"$1\":<id>");
        s = MEMBER_ID_TEXT.matcher(s).replaceAll("memberID:<id>");
        s = FIELD_IDS.matcher(s).replaceAll("\"$1\" : <id>");
        s = LEASE_HEX.matcher(s).replaceAll("lease <id> ");
        s = LEASE_LINE.matcher(s).replaceAll("<lease-id>");
        s = REMAINING.matcher(s).replaceAll("remaining(<n>s)");
        return TOOK.matcher(s).replaceAll("took = <duration>").strip();
    }

    /** Keeps etcdctl's error text and the gRPC status of client-side warnings, drops timestamps and client ids. */
    public static String stderr(String s, Member m) {
        List<String> out = new ArrayList<>();
        for (String line : s.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("{\"level\"")) {
                try {
                    JsonNode n = JSON.readTree(line);
                    out.add("[" + n.path("level").asText() + "] " + n.path("msg").asText()
                            + (n.has("error") ? " error=" + n.path("error").asText() : ""));
                    continue;
                } catch (Exception ignored) {
                    // fall through: compare verbatim
                }
            }
            out.add(line);
        }
        return TOOK.matcher(endpoints(String.join("\n", out), m)).replaceAll("took = <duration>").strip();
    }

    private static String endpoints(String s, Member m) {
        return s.replace(m.endpoint(), "<endpoint>").replace(m.endpoint().substring(m.endpoint().indexOf("://") + 3), "<endpoint>");
    }

    /** The set of JSON field paths ("a.b[].c") in a document: used to compare the shape of status outputs. */
    public static TreeSet<String> shape(String json) {
        TreeSet<String> paths = new TreeSet<>();
        try {
            collect(JSON.readTree(json), "", paths);
        } catch (Exception e) {
            paths.add("<not JSON: " + e.getMessage() + ">");
        }
        return paths;
    }

    private static void collect(JsonNode n, String prefix, TreeSet<String> paths) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                paths.add(p);
                collect(e.getValue(), p, paths);
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) {
                collect(c, prefix + "[]", paths);
            }
        }
    }

    public static JsonNode json(CommandResult r) {
        try {
            return JSON.readTree(r.stdout());
        } catch (Exception e) {
            throw new AssertionError("etcdctl did not print JSON:\n" + r, e);
        }
    }
}
