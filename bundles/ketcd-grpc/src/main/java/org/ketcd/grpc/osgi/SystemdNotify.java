package org.ketcd.grpc.osgi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's sd_notify: under systemd ({@code NOTIFY_SOCKET} set, a {@code Type=notify} unit) systemd is told
 * {@code READY=1} once the client URLs serve, as etcd does. The JDK cannot send on a Unix datagram socket, so
 * systemd's own {@code systemd-notify} sends it for this JVM ({@code --pid}): run as root, systemd sees it come
 * from the main PID; run as another user, the unit needs {@code NotifyAccess=all}. Without {@code NOTIFY_SOCKET}
 * nothing is sent.
 */
final class SystemdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);

    /** How long systemd-notify may take before it is given up (it sends one datagram). */
    static final long TIMEOUT_SECONDS = 10;
    static final String SOCKET_VARIABLE = "NOTIFY_SOCKET";

    private SystemdNotify() {
    }

    /** Tells systemd this member is ready, in the background, if it runs under systemd's notify protocol. */
    static void ready() {
        String socket = System.getenv(SOCKET_VARIABLE);
        if (socket == null || socket.isEmpty()) {
            return;
        }
        CompletableFuture.runAsync(() -> send(socket));
    }

    private static void send(String socket) {
        Path tool = Path.of("/bin/systemd-notify");
        if (!Files.isExecutable(tool)) {
            tool = Path.of("/usr/bin/systemd-notify");
        }
        if (!Files.isExecutable(tool)) {
            LOG.warn("{} is set, but systemd-notify (package systemd) is not installed: systemd is not told that this"
                    + " member is ready", SOCKET_VARIABLE);
            return;
        }
        LOG.info("notifying init daemon");
        try {
            Process p = new ProcessBuilder(tool.toString(), "--ready", "--pid=" + ProcessHandle.current().pid())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("failed to notify systemd for readiness: systemd-notify did not finish in {} s", TIMEOUT_SECONDS);
                return;
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() == 0) {
                LOG.info("successfully notified init daemon");
            } else {
                LOG.warn("failed to notify systemd for readiness: {}", output.isEmpty() ? "exit status " + p.exitValue() : output);
            }
        } catch (IOException e) {
            LOG.warn("failed to notify systemd for readiness: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
