package org.ketcd.systemtests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.Http;
import org.ketcd.systemtests.harness.ListeningSockets;
import org.ketcd.systemtests.harness.ListeningSockets.Listener;
import org.ketcd.systemtests.harness.Member;

/**
 * DESIGN.md: every socket a member opens is listed in the README. A member listens on its client URL, its peer
 * URL, its metrics URL when given one ({@code --listen-metrics-urls}: /metrics and health only), one ephemeral loopback port, the REST bundle's JDK HTTP server that the client port hands HTTP/1 to, and
 * the loopback port of its admin shell (Karaf's shell over SSH, AdminShellTest); nothing else. In particular no
 * Karaf shutdown port: its command sat in the world-readable etc/config.properties, the same for every member, so
 * any local user could stop any member through it. SIGTERM is the way to stop a member, and it stops gracefully
 * with status 0.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MemberListenersTest {
    /** From SIGTERM to the exit of a member that served a few writes (Karaf stops every bundle in turn). */
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);

    @Test
    void a_member_listens_only_on_its_client_peer_metrics_rest_and_admin_loopback_ports_and_sigterm_stops_it_with_status_0() throws Exception {
        int metrics = org.ketcd.systemtests.harness.TestPorts.next();
        try (Member m = Member.start(Member.Kind.KETCD, "listeners", "--listen-metrics-urls=http://127.0.0.1:" + metrics)) {
            Http.awaitRest(m, Duration.ofSeconds(60));
            assertEquals(0, m.ctl("put", "k", "v").exitCode());

            // Karaf writes its shutdown port's number to karaf.data/port when it opens one
            List<Path> portFiles = new ArrayList<>();
            for (Path dir : new Path[] {m.dataDir(), m.runtimeRoot()}) {
                if (!Files.exists(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(p -> p.getFileName().toString().equals("port")).forEach(portFiles::add);
                }
            }
            assertEquals(List.of(), portFiles, "Karaf's shutdown port file");

            int client = port(m.endpoint());
            int peer = port(m.peerUrl());
            int admin = adminPort(m);
            List<Listener> listeners = ListeningSockets.of(m.pid());
            List<Listener> others = new ArrayList<>(listeners);
            others.removeIf(l -> l.protocol().equals("tcp") && (l.port() == client || l.port() == peer)
                    && l.address().getHostAddress().equals("127.0.0.1"));
            assertEquals(2, listeners.size() - others.size(), () -> "client and peer listeners among " + listeners);
            assertTrue(others.removeIf(l -> l.protocol().equals("tcp") && l.port() == admin
                    && l.address().getHostAddress().equals("127.0.0.1")), () -> "admin shell on 127.0.0.1:" + admin + " among " + listeners);
            assertTrue(others.removeIf(l -> l.protocol().equals("tcp") && l.port() == metrics
                    && l.address().getHostAddress().equals("127.0.0.1")), () -> "metrics on 127.0.0.1:" + metrics + " among " + listeners);
            Http.Answer scraped = Http.get("http://127.0.0.1:" + metrics + "/metrics");
            assertEquals(200, scraped.status(), scraped::body);
            assertTrue(scraped.body().contains("\netcd_server_has_leader 1.0\n"), scraped::body);
            assertEquals(404, Http.get("http://127.0.0.1:" + metrics + "/version").status(), "the metrics URL serves the API");
            assertEquals(1, others.size(), () -> "one listener besides the client, peer, metrics and admin ports (REST's), not " + others);
            Listener rest = others.get(0);
            assertTrue(rest.protocol().equals("tcp") && rest.address().isLoopbackAddress(), rest::toString);
            // it is the REST bundle's server, which serves only what the client port forwards: a local user
            // connecting to it directly is refused, and the same request through the client URL is answered
            Http.Answer direct = Http.get("http://127.0.0.1:" + rest.port() + "/version");
            assertEquals(403, direct.status(), direct::body);
            assertTrue(direct.body().contains("this port serves the member's client port only"), direct::body);
            Http.Answer viaClientPort = Http.get(m.endpoint() + "/version");
            assertEquals(200, viaClientPort.status(), viaClientPort::body);

            m.signal("TERM");
            Integer status = m.awaitExit(GRACEFUL_STOP);
            assertEquals(Integer.valueOf(0), status, () -> m + " after SIGTERM:\n" + m.logTail(40));
            // EtcdMember.close() ran: Raft and the store were shut down, not cut off
            assertTrue(m.logTail(400).contains("member " + m.name() + " stopped"), () -> m.logTail(40));
        }
    }

    /**
     * The port in {@code <runtime dir>/admin/ssh.port}, which the member writes once its admin shell listens; the
     * member's runtime root holds its runtime dir alone.
     */
    private static int adminPort(Member m) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<Path> dirs = Files.list(m.runtimeRoot())) {
                for (Path dir : dirs.toList()) {
                    Path file = dir.resolve("admin/ssh.port");
                    if (Files.exists(file)) {
                        return Integer.parseInt(Files.readString(file).strip());
                    }
                }
            }
            Member.sleep(100);
        }
        throw new AssertionError("no admin/ssh.port under " + m.runtimeRoot());
    }

    private static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }
}
