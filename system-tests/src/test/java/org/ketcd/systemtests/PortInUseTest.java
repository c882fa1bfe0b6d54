package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.Member;

/**
 * A member whose client or peer port is taken by another process does not start: etcd exits with status 1
 * and says {@code listen tcp 127.0.0.1:<port>: bind: address already in use}; so must bin/ketcd, instead of
 * idling as a member nobody can reach.
 */
class PortInUseTest {

    static Stream<Arguments> cases() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target())
                .flatMap(kind -> Stream.of(Arguments.of(kind, "client"), Arguments.of(kind, "peer")));
    }

    @ParameterizedTest(name = "{0}, {1} port")
    @MethodSource("cases")
    void a_member_whose_port_is_taken_exits_with_status_1_and_etcds_listen_error(Member.Kind kind, String which) throws Exception {
        Member m = Member.prepare(kind, "port-in-use");
        int port = which.equals("client") ? Integer.parseInt(m.endpoint().substring(m.endpoint().lastIndexOf(':') + 1)) : m.peerPort();
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            m.launchWith("--initial-cluster", m.name() + "=" + m.peerUrl());
            Integer status = m.awaitExit(kind.bootTimeout());
            assertEquals(Integer.valueOf(1), status, () -> m + " did not exit 1 with its " + which + " port taken:\n" + m.logTail(40));
            String log = m.logTail(200);
            assertTrue(log.contains("listen tcp 127.0.0.1:" + port + ": bind: address already in use"), () -> m + " log:\n" + log);
        } finally {
            m.close();
        }
    }
}
