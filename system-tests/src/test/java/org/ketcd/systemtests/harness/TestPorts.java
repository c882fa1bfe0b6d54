package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for test members, each handed out at most once per JVM, and all below the kernel's
 * ephemeral range.
 *
 * <p>Why not just bind port 0 and close: the kernel may return the same port again to the next caller,
 * and two members given one peer port get the same member ID and fight over the bind (a CI run lost a
 * whole build to exactly that). And a port from the ephemeral range can be taken, between being handed
 * out and being bound by the member, as the local port of any outgoing connection (etcdctl, a peer, a
 * broker client): a CI run lost a member to "Address already in use" that way. The kernel never picks a
 * port outside that range for an outgoing connection.
 *
 * <p>The same class serves ketcd-server's tests and the black-box system tests, which depend on no Ketcd
 * module; keep the two copies alike.
 */
public final class TestPorts {
    /** The lowest port handed out: above the well-known and most registered service ports. */
    static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    private static final int[] RANGE = range();
    /** Where the search goes on: starts at random, so that two test JVMs on one machine rarely meet. */
    private static int cursor = RANGE[0] + ThreadLocalRandom.current().nextInt(RANGE[1] - RANGE[0] + 1);

    private TestPorts() {
    }

    /** A port that is free now, that this JVM has not handed out before, and that no outgoing connection takes. */
    public static synchronized int next() {
        int size = RANGE[1] - RANGE[0] + 1;
        for (int i = 0; i < size; i++) {
            int port = cursor;
            cursor = cursor == RANGE[1] ? RANGE[0] : cursor + 1;
            if (!HANDED_OUT.contains(port) && bindable(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port left in " + RANGE[0] + "-" + RANGE[1]);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /** The ports below the ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768 if unreadable). */
    private static int[] range() {
        int ephemeralLow = 32_768;
        try {
            // Not Files.readString: it trusts the size /proc reports and reads a single byte of this file.
            String line = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
            ephemeralLow = Integer.parseInt(line.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException unreadable) {
            // not Linux: 32768 is as low as common systems start it (the IANA range starts at 49152)
        }
        if (ephemeralLow - LOWEST < 1_000) {
            throw new IllegalStateException("the ephemeral port range starts at " + ephemeralLow
                    + ": too few ports below it for test members");
        }
        return new int[] {LOWEST, ephemeralLow - 1};
    }
}
