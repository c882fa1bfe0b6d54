package org.ketcd.systemtests.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Member ports are never handed out twice and never from the range the kernel takes outgoing ports from. */
class TestPortsTest {

    @Test
    void portsAreUniqueAndBelowTheEphemeralRange() throws Exception {
        int ephemeralLow = Integer.parseInt(
                Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = TestPorts.next();
            assertTrue(seen.add(port), "handed out twice: " + port);
            assertTrue(port >= TestPorts.LOWEST && port < ephemeralLow, "outside " + TestPorts.LOWEST + "-" + (ephemeralLow - 1) + ": " + port);
        }
    }
}
