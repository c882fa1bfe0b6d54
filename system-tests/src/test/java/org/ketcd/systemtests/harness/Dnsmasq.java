package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server for the system tests: Debian's dnsmasq on a free loopback port, authority for one
 * domain, serving the given SRV records. Registered with the {@link Reaper}; close kills it by PID.
 */
public final class Dnsmasq implements AutoCloseable {
    private final Process process;
    private final int port;

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Serves {@code srvRecords} ("name,target,port", dnsmasq's --srv-host) as the authority for {@code domain}. */
    public static Dnsmasq serve(Path logFile, String domain, List<String> srvRecords) {
        if (!Files.isExecutable(Path.of("/usr/sbin/dnsmasq"))) {
            throw new AssertionError("/usr/sbin/dnsmasq not found: install Debian's dnsmasq-base (.ci/run does)");
        }
        try {
            int port = TestPorts.next(); // a free TCP port; dnsmasq binds the same number for UDP and TCP
            List<String> cmd = new ArrayList<>(List.of("/usr/sbin/dnsmasq", "--no-daemon", "--port=" + port,
                    "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
                    "--pid-file=", "--local=/" + domain + "/"));
            srvRecords.forEach(r -> cmd.add("--srv-host=" + r));
            Files.createDirectories(logFile.getParent());
            Process p = Reaper.register(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start());
            Dnsmasq dns = new Dnsmasq(p, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(logFile).contains("started")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    dns.close();
                    throw new AssertionError("dnsmasq did not start: " + Files.readString(logFile));
                }
                Member.sleep(50);
            }
            return dns;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        Reaper.killNow(process);
    }
}
