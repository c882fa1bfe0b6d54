package org.ketcd.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free loopback ports for test members, each handed out at most once per JVM.
 *
 * <p>Why not just bind port 0 and close: the kernel may return the same port again to the next
 * caller, and two members given one peer port get the same member ID and fight over the bind
 * (a CI run lost a whole build to exactly that).
 */
public final class TestPorts {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private TestPorts() {
    }

    /** A port that is free now and that this JVM has not handed out before. */
    public static synchronized int next() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no fresh free loopback port after 100 attempts");
    }
}
