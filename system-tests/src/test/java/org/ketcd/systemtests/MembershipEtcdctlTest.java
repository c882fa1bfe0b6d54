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
 * 3.4 and Ketcd alike: from one member, member add and start each new member with the printed
 * ETCD_INITIAL_CLUSTER and state existing, move-leader to the newest, member remove; and etcd's answers
 * to what it refuses.
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
    void an_operator_grows_one_member_to_three_moves_leadership_to_the_newest_and_removes_it(Member.Kind kind) {
        List<Member> all = new ArrayList<>(Member.startCluster(kind, "mem", 1));
        try {
            Member first = all.get(0);
            // one started member of two is not a quorum, yet etcd accepts this add (how a restored member grows)
            Member second = Member.prepare(kind, "mem-2");
            all.add(second);
            addAndJoin(first, second);
            awaitAllStarted(first, 2);
            CommandResult put = second.ctl("put", "/mem/grown", "v");
            assertTrue(put.ok(), put::toString);
            CommandResult get = first.ctl("get", "/mem/grown", "--print-value-only");
            assertEquals("v", get.stdout().strip(), get::toString);

            Member third = Member.prepare(kind, "mem-3");
            all.add(third);
            String newId = addAndJoin(first, third);
            JsonNode list = awaitAllStarted(first, 3);
            assertEquals(3, list.path("members").size(), list::toString);

            String endpoints = String.join(",", all.stream().map(Member::endpoint).toList());
            CommandResult move = Etcdctl.run(endpoints, "move-leader", newId);
            assertTrue(move.ok() && move.stdout().strip().matches("(?s).*Leadership transferred from +[0-9a-f]+ to +" + newId),
                    move::toString);
            assertEquals(Long.parseUnsignedLong(newId, 16), leaderSeenBy(first), "every member follows the new leader");

            // etcd also refuses a removal until the members left have been connected for 5 s ("unhealthy cluster")
            CommandResult remove = first.ctl("member", "remove", newId);
            for (int i = 0; i < 40 && remove.stderr().contains("etcdserver: unhealthy cluster"); i++) {
                Member.sleep(500);
                remove = first.ctl("member", "remove", newId);
            }
            CommandResult removeResult = remove;
            assertTrue(remove.ok() && remove.stdout().matches("(?s).*Member +" + newId + " removed from cluster .*"), removeResult::toString);
            Integer exit = third.awaitExit(java.time.Duration.ofSeconds(30));
            assertEquals(0, exit, "a removed member stops by itself (exit status 0): " + third.logTail(20));
            JsonNode after = Normalizer.json(first.ctl("member", "list", "-w", "json"));
            assertEquals(2, after.path("members").size(), after::toString);
            // The removed member led: etcd answers writes again once the two left elected a leader.
            CommandResult putAfter = first.ctl("put", "/mem/after-remove", "v");
            for (int i = 0; i < 20 && !putAfter.ok(); i++) {
                Member.sleep(500);
                putAfter = first.ctl("put", "/mem/after-remove", "v");
            }
            CommandResult lastPut = putAfter;
            assertTrue(putAfter.ok(), () -> "the two left go on: " + lastPut);

            CommandResult again = first.ctl("member", "remove", newId);
            assertFalse(again.ok());
            assertTrue(again.stderr().contains("etcdserver: member not found"), again::toString);
            CommandResult badUrl = first.ctl("member", "add", "bad", "--peer-urls=http://127.0.0.1:" + "x");
            assertFalse(badUrl.ok(), badUrl::toString);
            CommandResult taken = first.ctl("member", "add", "dup", "--peer-urls=" + second.peerUrl());
            assertTrue(taken.stderr().contains("etcdserver: Peer URLs already exists"), taken::toString);
        } finally {
            all.forEach(Member::close);
        }
    }

    /** member add through {@code via}, then the new member started with what add printed; returns its id. */
    private static String addAndJoin(Member via, Member joining) {
        // etcd refuses reconfiguration until every member has been connected for 5 s ("unhealthy cluster").
        CommandResult add = via.ctl("member", "add", joining.name(), "--peer-urls=" + joining.peerUrl());
        for (int i = 0; i < 40 && add.stderr().contains("etcdserver: unhealthy cluster"); i++) {
            Member.sleep(500);
            add = via.ctl("member", "add", joining.name(), "--peer-urls=" + joining.peerUrl());
        }
        CommandResult addResult = add;
        Matcher added = ADDED.matcher(add.stdout());
        assertTrue(add.ok() && added.find(), addResult::toString);
        Matcher initialCluster = INITIAL_CLUSTER.matcher(add.stdout());
        assertTrue(initialCluster.find(), addResult::toString);
        assertTrue(add.stdout().contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\""), addResult::toString);
        joining.join(initialCluster.group(1));
        return added.group(1);
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
