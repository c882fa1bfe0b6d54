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
 * URL and one ephemeral loopback port, the REST bundle's JDK HTTP server that the client port hands HTTP/1 to;
 * nothing else. In particular no Karaf shutdown port: its command sat in the world-readable
 * etc/config.properties, the same for every member, so any local user could stop any member through it. SIGTERM
 * is the way to stop a member, and it stops gracefully with status 0.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MemberListenersTest {
    /** From SIGTERM to the exit of a member that served a few writes (Karaf stops every bundle in turn). */
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);

    @Test
    void a_member_listens_only_on_its_client_peer_and_rest_loopback_ports_and_sigterm_stops_it_with_status_0() throws Exception {
        try (Member m = Member.start(Member.Kind.KETCD, "listeners")) {
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
            List<Listener> listeners = ListeningSockets.of(m.pid());
            List<Listener> others = new ArrayList<>(listeners);
            others.removeIf(l -> l.protocol().equals("tcp") && (l.port() == client || l.port() == peer)
                    && l.address().getHostAddress().equals("127.0.0.1"));
            assertEquals(2, listeners.size() - others.size(), () -> "client and peer listeners among " + listeners);
            assertEquals(1, others.size(), () -> "one listener besides the client and peer ports (REST's), not " + others);
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

    private static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }
}
