package org.ketcd.systemtests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.ListeningSockets;
import org.ketcd.systemtests.harness.ListeningSockets.Listener;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Reaper;

/**
 * README "Operate a member: the Karaf shell": each member started by bin/ketcd has Karaf's shell over SSH on a
 * loopback port of its own, for its own key only, and {@code bin/ketcd admin --data-dir DIR COMMAND} runs a shell
 * command in it. Two members of one distribution: their ports differ, each listens on 127.0.0.1 only, the
 * command reaches the right member (bundle:list, log:display), one member's key does not open the other's shell,
 * and no password opens either (the server offers public keys only, and the distribution has no password user).
 * Then Karaf's {@code bin/status} and {@code bin/stop}, which find a member by its data dir as {@code bin/ketcd} does:
 * status says which member runs, stop ends one member gracefully and leaves the other running.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AdminShellTest {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PORT_FILE_WAIT = Duration.ofSeconds(30);

    @Test
    void each_member_has_a_loopback_admin_shell_for_its_own_key_and_bin_status_and_bin_stop_find_it_by_data_dir() throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "Karaf's shell is Ketcd's own");
        List<Member> members = Member.startCluster(Member.Kind.KETCD, "admin", 2);
        try {
            Member a = members.get(0);
            Member b = members.get(1);
            int portA = awaitPort(a);
            int portB = awaitPort(b);
            assertNotEquals(portA, portB, "members of one distribution share an admin port");
            for (Member m : members) {
                int port = m == a ? portA : portB;
                List<Listener> ssh = ListeningSockets.of(m.pid()).stream().filter(l -> l.port() == port).toList();
                assertEquals(1, ssh.size(), () -> "listeners on the admin port " + port + ": " + ssh);
                assertEquals("127.0.0.1", ssh.get(0).address().getHostAddress(), ssh::toString);
                Path key = adminDir(m).resolve("client.key");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
            }

            CommandResult bundles = admin(a, "bundle:list");
            assertEquals(0, bundles.exitCode(), bundles::toString);
            List<String> ketcd = bundles.stdout().lines().filter(l -> l.contains("Ketcd ::")).toList();
            for (String name : List.of("Ketcd :: etcd server", "Ketcd :: admin shell", "Ketcd :: REST")) {
                assertTrue(ketcd.stream().anyMatch(l -> l.contains(name)), () -> name + " not in\n" + bundles.stdout());
            }
            assertTrue(ketcd.stream().allMatch(l -> l.contains("| Active ")), () -> "a Ketcd bundle not Active:\n" + bundles.stdout());

            // Karaf's MBeans, by local attach (no JMX port is open): the bundles and the features
            String jmxBundles = karafMBean(a, "type=bundle", "Bundles");
            assertTrue(jmxBundles.contains("Ketcd :: etcd server"), jmxBundles);
            String jmxFeatures = karafMBean(a, "type=feature", "Features");
            assertTrue(jmxFeatures.contains("ketcd-server"), jmxFeatures);

            // each member's own log: the line it logged when it became ready
            CommandResult logA = admin(a, "log:display");
            assertEquals(0, logA.exitCode(), logA::toString);
            assertTrue(logA.stdout().contains("ketcd: member " + a.name() + " ready"), logA::toString);
            CommandResult logB = admin(b, "log:display");
            assertTrue(logB.stdout().contains("ketcd: member " + b.name() + " ready"), logB::toString);
            assertFalse(logB.stdout().contains("ketcd: member " + a.name() + " ready"), logB::toString);

            // Ketcd's own commands, through the shell of a running member
            CommandResult put = admin(a, "ketcd:put admin/k v");
            assertTrue(put.stdout().strip().matches("OK \\(revision \\d+\\)"), put::toString);
            CommandResult get = admin(a, "ketcd:get --prefix admin/");
            assertEquals("admin/k\nv", get.stdout().strip(), get::toString);
            CommandResult watched = admin(a, "ketcd:watch --rev 1 --count 1 --prefix admin/");
            assertEquals("PUT\nadmin/k\nv", watched.stdout().strip(), watched::toString);
            Path backup = a.dataDir().resolveSibling("admin-backup.db");
            CommandResult saved = admin(a, "ketcd:snapshot-save " + backup);
            assertTrue(saved.stdout().strip().startsWith("Snapshot saved at " + backup + " ("), saved::toString);
            assertTrue(Files.size(backup) > 0, "empty snapshot file");
            CommandResult routes = admin(a, "ketcd:routes");
            assertEquals("This member runs no Camel: install the ketcd-camel feature to deploy routes.", routes.stdout().strip(),
                    routes::toString);
            CommandResult status = admin(a, "ketcd:status");
            assertTrue(status.stdout().contains("member          " + a.name() + " ("), status::toString);
            // either member may lead: "(this member)" follows the id only on the leader
            assertTrue(status.stdout().lines().anyMatch(l -> l.strip().matches("leader +[0-9a-f]{1,16}( \\(this member\\))?")),
                    status::toString);

            CommandResult unknown = admin(a, "no-such:command");
            assertEquals(1, unknown.exitCode(), unknown::toString);

            // a's key at b's port; passwords, also Karaf's classic karaf/karaf
            CommandResult otherKey = client(List.of("-a", Integer.toString(portB), "-u", "ketcd",
                    "-k", adminDir(a).resolve("client.key").toString()));
            assertRefused(otherKey);
            assertRefused(client(List.of("-a", Integer.toString(portA), "-u", "karaf", "-p", "karaf")));
            assertRefused(client(List.of("-a", Integer.toString(portA), "-u", "ketcd", "-p", "ketcd")));
            Path users = Member.ketcdScript().getParent().getParent().resolve("etc/users.properties");
            List<String> userLines = Files.readAllLines(users).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("_g_")).toList();
            assertEquals(List.of(), userLines, "users with a password in " + users);

            CommandResult running = karafScript("status", b);
            assertEquals(0, running.exitCode(), running::toString);
            assertTrue(running.stdout().startsWith("Running ... (pid " + b.pid() + ","), running::toString);
            CommandResult stop = karafScript("stop", b);
            assertEquals(0, stop.exitCode(), stop::toString);
            assertEquals(0, b.awaitExit(Duration.ofSeconds(10)), "bin/stop returned before the member exited gracefully");
            CommandResult stopped = karafScript("status", b);
            assertEquals(1, stopped.exitCode(), stopped::toString);
            assertTrue(stopped.stdout().startsWith("Not Running ..."), stopped::toString);
            assertEquals(1, karafScript("stop", b).exitCode(), "bin/stop of a member that is not running");
            assertEquals(0, karafScript("status", a).exitCode(), "the other member stopped too");
        } finally {
            members.forEach(Member::close);
        }
    }

    /** An attribute of the member's Karaf MBean of {@code type}, through the JMX agent a local attach starts. */
    private static String karafMBean(Member m, String type, String attribute) throws Exception {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(m.pid()));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        try (javax.management.remote.JMXConnector jmx = javax.management.remote.JMXConnectorFactory.connect(
                new javax.management.remote.JMXServiceURL(address))) {
            javax.management.MBeanServerConnection server = jmx.getMBeanServerConnection();
            java.util.Set<javax.management.ObjectName> names = server.queryNames(
                    new javax.management.ObjectName("org.apache.karaf:" + type + ",*"), null);
            assertEquals(1, names.size(), () -> "Karaf MBeans of " + type + ": " + names);
            return String.valueOf(server.getAttribute(names.iterator().next(), attribute));
        }
    }

    private static void assertRefused(CommandResult r) {
        assertNotEquals(0, r.exitCode(), r::toString);
        assertFalse(r.stdout().contains("Ketcd ::"), r::toString);
        assertTrue((r.stdout() + r.stderr()).contains("No more authentication methods available"), r::toString);
    }

    /** The member's admin dir: its runtime root holds its runtime dir alone. */
    private static Path adminDir(Member m) throws IOException {
        try (Stream<Path> dirs = Files.list(m.runtimeRoot())) {
            List<Path> all = dirs.toList();
            assertEquals(1, all.size(), () -> "runtime dirs under " + m.runtimeRoot() + ": " + all);
            return all.get(0).resolve("admin");
        }
    }

    private static int awaitPort(Member m) throws IOException {
        Path file = adminDir(m).resolve("ssh.port");
        long deadline = System.nanoTime() + PORT_FILE_WAIT.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + file + " within " + PORT_FILE_WAIT.toSeconds() + " s:\n" + m.logTail(40));
            }
            Member.sleep(100);
        }
        return Integer.parseInt(Files.readString(file).strip());
    }

    /** {@code bin/ketcd admin --data-dir <m's> COMMAND}, with m's runtime root. */
    private static CommandResult admin(Member m, String command) {
        List<String> cmd = List.of(Member.ketcdScript().toString(), "admin", "--data-dir", m.dataDir().toString(), command);
        return run(cmd, m.runtimeRoot(), "");
    }

    /** Karaf's {@code bin/status} or {@code bin/stop --data-dir <m's>}, with m's runtime root. */
    private static CommandResult karafScript(String script, Member m) {
        List<String> cmd = List.of(Member.ketcdScript().resolveSibling(script).toString(), "--data-dir", m.dataDir().toString());
        return run(cmd, m.runtimeRoot(), "");
    }

    /** Karaf's bin/client to 127.0.0.1 in batch mode, running bundle:list. */
    private static CommandResult client(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Member.ketcdScript().resolveSibling("client").toString(), "-h", "127.0.0.1", "-b"));
        cmd.addAll(args);
        return run(cmd, null, "bundle:list\n");
    }

    private static CommandResult run(List<String> cmd, Path runtimeRoot, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("KETCD_"));
        if (runtimeRoot != null) {
            pb.environment().put("KETCD_RUNTIME_DIR", runtimeRoot.toString());
        }
        try {
            Path out = Files.createTempFile("admin-shell", ".out");
            Path err = Files.createTempFile("admin-shell", ".err");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = Reaper.register(pb.start());
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            boolean done = p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Reaper.killNow(p);
            CommandResult r = new CommandResult(cmd, done ? p.exitValue() : -1, Files.readString(out), Files.readString(err), !done);
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
