package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * Three {@code bin/ketcd} processes started with etcd 3.6's v3 discovery flags ({@code --discovery-token},
 * {@code --discovery-endpoints}) form one cluster through a real etcd 3.4 holding the registry in its v3
 * keyspace ({@code /_etcd/registry/<token>/...}); a fourth exits with etcd's "cluster is full" error.
 * etcd 3.4 itself has no v3 discovery flags, so with -Dsystem-tests.target=etcd this test does not apply.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class V3DiscoveryClusterTest {
    private static final String TOKEN = "v3-discovery-token";

    @Test
    void three_members_started_with_v3_discovery_form_one_cluster_and_a_fourth_is_refused_as_full() {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD,
                "etcd 3.4 has no --discovery-token/--discovery-endpoints (they arrived in etcd 3.6)");
        List<Member> members = new ArrayList<>();
        try (Member discovery = Member.start(Member.Kind.ETCD, "v3-discovery-service")) {
            String endpoints = discovery.endpoint();
            assertTrue(discovery.ctl("put", "/_etcd/registry/" + TOKEN + "/_config/size", "3").ok());
            for (int i = 1; i <= 4; i++) {
                members.add(Member.prepare(Member.Kind.KETCD, "v3-disc-" + i));
            }
            Member.startByDiscovery(members.subList(0, 3), "--discovery-token", TOKEN, "--discovery-endpoints", endpoints);
            CommandResult list = members.get(0).ctl("member", "list", "-w", "json");
            assertEquals(3, Normalizer.json(list).path("members").size(), list::toString);
            assertTrue(members.get(1).ctl("put", "/disc/k", "v").ok());
            CommandResult got = members.get(2).ctl("get", "/disc/k", "--print-value-only");
            assertEquals("v", got.stdout().strip(), got::toString);
            CommandResult registered = discovery.ctl("get", "--prefix", "--keys-only", "/_etcd/registry/" + TOKEN + "/members/");
            assertEquals(3, registered.stdout().lines().filter(l -> !l.isBlank()).count(), registered::toString);

            Member late = members.get(3);
            late.launchWith("--discovery-token", TOKEN, "--discovery-endpoints", endpoints);
            assertEquals(1, late.awaitExit(Duration.ofSeconds(150)), late.logTail(20));
            assertTrue(late.logTail(40).contains("failed to join discovery cluster (discovery: cluster is full)"), late.logTail(40));
        } finally {
            members.forEach(Member::close);
        }
    }
}
