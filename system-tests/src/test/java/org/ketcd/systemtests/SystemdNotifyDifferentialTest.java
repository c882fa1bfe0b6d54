package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ketcd.systemtests.harness.Member;

/**
 * etcd's sd_notify: started by systemd as a Type=notify unit (NOTIFY_SOCKET names systemd's datagram socket), a
 * member sends READY=1 once it serves, as etcd does. The socket here is a small receiver of our own (python3,
 * as the JDK cannot read a Unix datagram socket) that prints the first message.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SystemdNotifyDifferentialTest {
    enum Server { ETCD, KETCD }

    @ParameterizedTest
    @EnumSource(Server.class)
    void aMemberStartedWithNotifySocketTellsSystemdItIsReady(Server server) throws Exception {
        Path base = Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work")).toAbsolutePath();
        Files.createDirectories(base);
        Path dir = Files.createTempDirectory(base, "notify-");
        Path socket = dir.resolve("notify.sock");
        Process receiver = new ProcessBuilder("python3", "-c", "import socket, sys\n"
                + "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                + "s.bind(sys.argv[1])\n"
                + "s.settimeout(150)\n"
                + "print(s.recv(4096).decode(), flush=True)\n", socket.toString())
                .redirectErrorStream(true).start();
        Member member = Member.prepare(server == Server.ETCD ? Member.Kind.ETCD : Member.Kind.target(), "notify");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(socket) && receiver.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(socket), "the receiver bound " + socket);
            member.withEnvironment("NOTIFY_SOCKET", socket.toString()).startAlone();
            assertTrue(receiver.waitFor(60, TimeUnit.SECONDS), "a message arrived once the member served");
            String message = new String(receiver.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, receiver.exitValue(), message);
            assertTrue(message.lines().anyMatch("READY=1"::equals), message);
        } finally {
            receiver.destroyForcibly();
            member.close();
        }
    }
}
