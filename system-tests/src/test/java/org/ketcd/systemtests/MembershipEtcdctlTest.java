package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Etcdctl;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * Growing, changing and shrinking a running cluster with etcdctl as an operator does, against real etcd
 * 3.4 and Ketcd alike: member add, start the new member with the printed ETCD_INITIAL_CLUSTER and
 * state existing, move-leader to it, member remove; and etcd's answers to what it refuses.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class MembershipEtcdctlTest {
    // etcdctl prints ids with %16x: an id below 2^60 comes with leading spaces, not zeros
    private static final Pattern ADDED = Pattern.compile("Member +([0-9a-f]+) added to cluster +([0-9a-f]+)");
    private static final Pattern INITIAL_CLUSTER = Pattern.compile("ETCD_INITIAL_CLUSTER=\"([^\"]*)\"");

    static Stream<Member.Kind> kinds() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void an_operator_adds_a_member_moves_leadership_to_it_and_removes_it(Member.Kind kind) {
        List<Member> all = new ArrayList<>(Member.startCluster(kind, "mem", 3));
        try {
            Member first = all.get(0);
            Member fourth = Member.prepare(kind, "mem-4");
            all.add(fourth);

            // etcd refuses reconfiguration until every member has been connected for 5 s ("unhealthy cluster").
            CommandResult add = first.ctl("member", "add", fourth.name(), "--peer-urls=" + fourth.peerUrl());
            for (int i = 0; i < 40 && add.stderr().contains("etcdserver: unhealthy cluster"); i++) {
                Member.sleep(500);
                add = first.ctl("member", "add", fourth.name(), "--peer-urls=" + fourth.peerUrl());
            }
            CommandResult addResult = add;
            Matcher added = ADDED.matcher(add.stdout());
            assertTrue(add.ok() && added.find(), addResult::toString);
            String newId = added.group(1);
            Matcher initialCluster = INITIAL_CLUSTER.matcher(add.stdout());
            assertTrue(initialCluster.find(), addResult::toString);
            assertTrue(add.stdout().contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\""), addResult::toString);

            fourth.join(initialCluster.group(1));
            JsonNode list = awaitAllStarted(first, 4);
            assertEquals(4, list.path("members").size(), list::toString);

            String endpoints = String.join(",", all.stream().map(Member::endpoint).toList());
            CommandResult move = Etcdctl.run(endpoints, "move-leader", newId);
            assertTrue(move.ok() && move.stdout().strip().matches("(?s).*Leadership transferred from +[0-9a-f]+ to +" + newId),
                    move::toString);
            assertEquals(Long.parseUnsignedLong(newId, 16), leaderSeenBy(first), "every member follows the new leader");

            CommandResult remove = first.ctl("member", "remove", newId);
            assertTrue(remove.ok() && remove.stdout().matches("(?s).*Member +" + newId + " removed from cluster .*"), remove::toString);
            Integer exit = fourth.awaitExit(java.time.Duration.ofSeconds(30));
            assertEquals(0, exit, "a removed member stops by itself (exit status 0): " + fourth.logTail(20));
            JsonNode after = Normalizer.json(first.ctl("member", "list", "-w", "json"));
            assertEquals(3, after.path("members").size(), after::toString);
            // The removed member led: etcd answers writes again once the three left elected a leader.
            CommandResult put = first.ctl("put", "/mem/after-remove", "v");
            for (int i = 0; i < 20 && !put.ok(); i++) {
                Member.sleep(500);
                put = first.ctl("put", "/mem/after-remove", "v");
            }
            CommandResult lastPut = put;
            assertTrue(put.ok(), () -> "the three left go on: " + lastPut);

            CommandResult again = first.ctl("member", "remove", newId);
            assertFalse(again.ok());
            assertTrue(again.stderr().contains("etcdserver: member not found"), again::toString);
            CommandResult badUrl = first.ctl("member", "add", "bad", "--peer-urls=http://127.0.0.1:" + "x");
            assertFalse(badUrl.ok(), badUrl::toString);
            CommandResult taken = first.ctl("member", "add", "dup", "--peer-urls=" + all.get(1).peerUrl());
            assertTrue(taken.stderr().contains("etcdserver: Peer URLs already exists"), taken::toString);
        } finally {
            all.forEach(Member::close);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void a_single_member_cluster_grows_to_two_with_member_add(Member.Kind kind) {
        List<Member> all = new ArrayList<>(Member.startCluster(kind, "grow", 1));
        try {
            Member first = all.get(0);
            Member second = Member.prepare(kind, "grow-2");
            all.add(second);
            // one started member of two is not a quorum, yet etcd accepts this add (how a restored member grows)
            CommandResult add = first.ctl("member", "add", second.name(), "--peer-urls=" + second.peerUrl());
            Matcher initialCluster = INITIAL_CLUSTER.matcher(add.stdout());
            assertTrue(add.ok() && ADDED.matcher(add.stdout()).find() && initialCluster.find(), add::toString);

            second.join(initialCluster.group(1));
            awaitAllStarted(first, 2);
            CommandResult put = second.ctl("put", "/grow/k", "v");
            assertTrue(put.ok(), put::toString);
            CommandResult get = first.ctl("get", "/grow/k", "--print-value-only");
            assertEquals("v", get.stdout().strip(), get::toString);
        } finally {
            all.forEach(Member::close);
        }
    }

    /** member list once {@code size} members have started (published their names and client URLs). */
    private static JsonNode awaitAllStarted(Member m, int size) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode list = null;
        while (System.nanoTime() < deadline) {
            list = Normalizer.json(m.ctl("member", "list", "-w", "json"));
            int started = 0;
            for (JsonNode member : list.path("members")) {
                started += member.path("clientURLs").size() > 0 ? 1 : 0;
            }
            if (started == size) {
                return list;
            }
            Member.sleep(200);
        }
        throw new AssertionError(size + " members not started within 60 s: " + list);
    }

    private static long leaderSeenBy(Member m) {
        JsonNode status = Normalizer.json(m.ctl("endpoint", "status", "-w", "json"));
        return status.get(0).path("Status").path("leader").asLong();
    }
}
