package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The sockets a process accepts connections or datagrams on, read from Linux's {@code /proc} as {@code ss -ltunp}
 * shows them: TCP sockets in LISTEN state and bound UDP sockets whose inode is one of the process's open files.
 */
public final class ListeningSockets {
    /** One listening socket: protocol ("tcp"/"udp"), local address and port. */
    public record Listener(String protocol, InetAddress address, int port) {
        @Override
        public String toString() {
            return protocol + " " + address.getHostAddress() + ":" + port;
        }
    }

    /** /proc/net/tcp's state column for LISTEN. */
    private static final String TCP_LISTEN = "0A";

    private ListeningSockets() {
    }

    public static List<Listener> of(long pid) {
        Set<String> inodes = socketInodes(pid);
        List<Listener> found = new ArrayList<>();
        for (String protocol : List.of("tcp", "udp")) {
            for (String table : List.of(protocol, protocol + "6")) {
                Path file = Path.of("/proc", Long.toString(pid), "net", table);
                if (!Files.exists(file)) {
                    continue;
                }
                try {
                    List<String> lines = Files.readAllLines(file);
                    for (String line : lines.subList(1, lines.size())) {
                        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                        String[] f = line.trim().split("\\s+");
                        boolean listening = protocol.equals("udp") || f[3].equals(TCP_LISTEN);
                        if (listening && inodes.contains(f[9])) {
                            String[] local = f[1].split(":");
                            found.add(new Listener(protocol, address(local[0]), Integer.parseInt(local[1], 16)));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return found;
    }

    /** The inodes of the process's sockets ({@code /proc/<pid>/fd/N -> socket:[inode]}). */
    private static Set<String> socketInodes(long pid) {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed between listing and reading
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inodes;
    }

    /** /proc/net's hex address: the address's 32-bit words, each printed as a number in the host's byte order. */
    private static InetAddress address(String hex) {
        ByteBuffer bytes = ByteBuffer.allocate(hex.length() / 2).order(ByteOrder.nativeOrder());
        for (int at = 0; at < hex.length(); at += 8) {
            bytes.putInt((int) Long.parseLong(hex.substring(at, at + 8), 16));
        }
        try {
            return InetAddress.getByAddress(bytes.array());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(hex, e);
        }
    }
}
