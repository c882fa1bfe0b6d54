package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd 3.5's Kubernetes probes: {@code /readyz} turns 503 when the member cannot serve a linearizable read (its
 * cluster lost quorum), while {@code /livez} stays 200 as long as the member itself answers.
 */
@Timeout(120)
class HealthProbesTest {
    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(3);

    @Test
    void readyzFailsWithoutQuorumWhileLivezStaysOk() throws Exception {
        RestCluster cluster = CLUSTER.cluster();
        cluster.cluster().awaitLeader();
        // like a Kubernetes probe, poll: a new leader serves linearizable reads once it committed an entry of its term
        HttpResponse<String> ready = awaitStatus(cluster, "/readyz", 200);
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("ok", ready.body());
        HttpResponse<String> verbose = cluster.get(0, "/readyz?verbose");
        assertEquals("[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\nreadyz check passed\n", verbose.body());

        cluster.cluster().stopMember(1);
        cluster.cluster().stopMember(2);
        // a leader learns it lost its majority when its heartbeats go unanswered (about an election timeout)
        HttpResponse<String> notReady = awaitStatus(cluster, "/readyz", 503);
        assertEquals(503, notReady.statusCode(), notReady.body());
        assertEquals("[-]linearizable_read failed: reason withheld\nreadyz check failed\n", notReady.body());
        HttpResponse<String> live = cluster.get(0, "/livez");
        assertEquals(200, live.statusCode(), live.body());
        assertEquals("ok", live.body());
    }

    /** Member 0's answer at {@code path} once it has {@code status}, or its last answer after 20 s. */
    private static HttpResponse<String> awaitStatus(RestCluster cluster, String path, int status) throws Exception {
        HttpResponse<String> answer = cluster.get(0, path);
        for (long deadline = System.nanoTime() + 20_000_000_000L; answer.statusCode() != status && System.nanoTime() < deadline; ) {
            Thread.sleep(100);
            answer = cluster.get(0, path);
        }
        return answer;
    }
}
