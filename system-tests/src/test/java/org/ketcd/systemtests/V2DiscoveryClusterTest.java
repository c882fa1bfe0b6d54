package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * Three members started with --discovery &lt;url&gt; form one cluster through a real etcd 3.4 serving
 * the v2 keys API (--enable-v2) as the discovery service; a fourth, with --discovery-fallback exit,
 * exits with etcd's "cluster is full" error. Runs against Ketcd (or etcd with -Dsystem-tests.target=etcd).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class V2DiscoveryClusterTest {

    @Test
    void three_members_started_with_discovery_form_one_cluster_and_a_fourth_is_refused_as_full() throws Exception {
        List<Member> members = new ArrayList<>();
        try (Member discovery = Member.start(Member.Kind.ETCD, "v2-discovery-service", "--enable-v2")) {
            String url = discovery.endpoint() + "/v2/keys/v2-discovery-token";
            HttpResponse<String> size = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/_config/size"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .PUT(HttpRequest.BodyPublishers.ofString("value=3")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, size.statusCode(), size.body());
            for (int i = 1; i <= 4; i++) {
                members.add(Member.prepare(Member.Kind.target(), "v2-disc-" + i));
            }
            Member.startByDiscovery(members.subList(0, 3), "--discovery", url);
            CommandResult list = members.get(0).ctl("member", "list", "-w", "json");
            assertEquals(3, Normalizer.json(list).path("members").size(), list::toString);
            assertTrue(members.get(1).ctl("put", "/disc/k", "v").ok());
            CommandResult got = members.get(2).ctl("get", "/disc/k", "--print-value-only");
            assertEquals("v", got.stdout().strip(), got::toString);

            Member late = members.get(3);
            late.launchWith("--discovery", url, "--discovery-fallback", "exit");
            assertEquals(1, late.awaitExit(Duration.ofSeconds(150)), late.logTail(20));
            assertTrue(late.logTail(40).contains("failed to join discovery cluster (discovery: cluster is full)"), late.logTail(40));
        } finally {
            members.forEach(Member::close);
        }
    }
}
