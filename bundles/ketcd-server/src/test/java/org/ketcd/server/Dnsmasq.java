package org.ketcd.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server for tests: Debian's dnsmasq on a free loopback port, serving the given SRV
 * records and nothing else (no upstream, no /etc/hosts). Started by the test, killed by its PID on close.
 */
final class Dnsmasq implements AutoCloseable {
    static final String BINARY = "/usr/sbin/dnsmasq";

    private final Process process;
    private final int port;

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Serves {@code srvRecords}, each "name,target,port" as dnsmasq's --srv-host takes it, as the
     * authority for {@code domain}: other names in it do not exist (NXDOMAIN, as a real zone answers).
     */
    static Dnsmasq serve(Path logDir, String domain, List<String> srvRecords) throws Exception {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new AssertionError(BINARY + " not found: install Debian's dnsmasq-base (.ci/run does)");
        }
        int port = TestPorts.next(); // a free TCP port; dnsmasq binds the same number for UDP and TCP
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--no-daemon", "--port=" + port, "--listen-address=127.0.0.1",
                "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=",
                "--local=/" + domain + "/"));
        srvRecords.forEach(r -> cmd.add("--srv-host=" + r));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logDir.resolve("dnsmasq.log").toFile());
        Dnsmasq dns = new Dnsmasq(pb.start(), port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(logDir.resolve("dnsmasq.log")).contains("started")) {
            if (!dns.process.isAlive() || System.nanoTime() > deadline) {
                dns.close();
                throw new AssertionError("dnsmasq did not start: " + Files.readString(logDir.resolve("dnsmasq.log")));
            }
            Thread.sleep(50);
        }
        return dns;
    }

    /** host:port of the server, as KETCD_DNS_SERVERS takes it. */
    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
