package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * Three members bootstrapped with --initial-cluster, driven only through etcdctl, against real etcd 3.4
 * and Ketcd alike: member list and endpoint status --cluster agree on every member; writes through any
 * member; after kill -9 of the leader another member leads, no acknowledged write is lost, and the
 * killed member, restarted, catches up.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ThreeMemberClusterTest {

    static Stream<Member.Kind> kinds() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void three_members_list_each_other_survive_a_leader_kill_and_lose_no_acknowledged_write(Member.Kind kind) {
        List<Member> members = Member.startCluster(kind, "ha", 3);
        try {
            Member first = members.get(0);
            JsonNode list = awaitClientUrlsPublished(first);
            assertEquals(3, list.path("members").size(), list::toString);
            for (Member m : members) {
                JsonNode listed = byName(list, m.name());
                assertEquals(m.peerUrl(), listed.path("peerURLs").get(0).asText(), listed::toString);
                assertEquals(m.endpoint(), listed.path("clientURLs").get(0).asText(), listed::toString);
            }

            Map<String, JsonNode> status = clusterStatus(first);
            assertEquals(3, status.size(), status::toString);
            Set<String> leaders = new HashSet<>();
            Set<String> terms = new HashSet<>();
            status.values().forEach(s -> {
                leaders.add(s.path("Status").path("leader").asText());
                terms.add(s.path("Status").path("raft_term").asText());
            });
            assertEquals(1, leaders.size(), "one leader seen by all: " + status);
            assertEquals(1, terms.size(), "one term: " + status);

            Map<String, Long> acked = new LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                Member via = members.get(i % 3);
                CommandResult r = via.ctl("put", "/ha/k" + i, "v" + i, "-w", "json");
                assertTrue(r.ok(), r::toString);
                acked.put("/ha/k" + i, Normalizer.json(r).path("header").path("revision").asLong());
            }

            String leaderId = leaders.iterator().next();
            Member leader = members.stream()
                    .filter(m -> status.get(m.endpoint()).path("Status").path("header").path("member_id").asText().equals(leaderId))
                    .findFirst().orElseThrow();
            List<Member> survivors = new ArrayList<>(members);
            survivors.remove(leader);
            long killedAt = System.nanoTime();
            leader.kill();
            String newLeader = awaitNewLeader(survivors.get(0), leaderId);
            System.out.printf("[%s] leader %s killed with SIGKILL; %s leads after %d ms%n", kind, leaderId, newLeader,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));

            for (Member s : survivors) {
                for (Map.Entry<String, Long> e : acked.entrySet()) {
                    CommandResult r = s.ctl("get", e.getKey(), "-w", "json");
                    assertEquals(e.getValue().longValue(), Normalizer.json(r).path("kvs").get(0).path("mod_revision").asLong(),
                            () -> s + " " + e.getKey() + ": " + r);
                }
                assertTrue(s.ctl("put", "/ha/after-" + s.name(), "x").ok(), "writes continue through " + s);
            }

            leader.restart();
            for (Member s : survivors) {
                CommandResult r = leader.ctl("get", "/ha/after-" + s.name(), "--print-value-only");
                assertEquals("x", r.stdout().strip(), () -> "the restarted member caught up: " + r);
            }
        } finally {
            members.forEach(Member::close);
        }
    }

    /** member list, once every member has published its client URLs (both etcd and Ketcd publish after start). */
    private static JsonNode awaitClientUrlsPublished(Member m) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode list = null;
        while (System.nanoTime() < deadline) {
            list = Normalizer.json(m.ctl("member", "list", "-w", "json"));
            boolean all = list.path("members").size() > 0;
            for (JsonNode member : list.path("members")) {
                all &= member.path("clientURLs").size() > 0;
            }
            if (all) {
                return list;
            }
            Member.sleep(200);
        }
        throw new AssertionError("client URLs not published within 30 s: " + list);
    }

    private static JsonNode byName(JsonNode list, String name) {
        for (JsonNode member : list.path("members")) {
            if (member.path("name").asText().equals(name)) {
                return member;
            }
        }
        throw new AssertionError(name + " not in " + list);
    }

    /** endpoint status --cluster: the status of every member, found through member list, by endpoint. */
    private static Map<String, JsonNode> clusterStatus(Member m) {
        CommandResult r = m.ctl("endpoint", "status", "--cluster", "-w", "json");
        assertTrue(r.ok(), r::toString);
        Map<String, JsonNode> byEndpoint = new LinkedHashMap<>();
        for (JsonNode s : Normalizer.json(r)) {
            byEndpoint.put(s.path("Endpoint").asText(), s);
        }
        return byEndpoint;
    }

    /** Waits (at most 60 s) until {@code m} reports a leader other than {@code oldLeader}; returns its id. */
    private static String awaitNewLeader(Member m, String oldLeader) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        CommandResult last = null;
        while (System.nanoTime() < deadline) {
            last = m.ctlWithin(Duration.ofSeconds(3), "endpoint", "status", "-w", "json");
            if (last.ok()) {
                // JSON leaves out a zero leader (no leader known): a missing field is no leader
                String leader = Normalizer.json(last).get(0).path("Status").path("leader").asText("");
                if (!leader.isEmpty() && !leader.equals("0") && !leader.equals(oldLeader)) {
                    return leader;
                }
            }
            Member.sleep(20);
        }
        throw new AssertionError("no new leader within 60 s: " + last);
    }
}
