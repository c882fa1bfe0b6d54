package org.ketcd.itests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A message broker on loopback that a test needs: used if it answers, else started with the machine's
 * own command (installed with apt first when missing and running as root). Never skipped: a broker that
 * cannot be had fails the test with the reason.
 */
final class LocalBroker {
    private LocalBroker() {
    }

    /** Mosquitto on 127.0.0.1:1883. */
    static void ensureMosquitto() throws Exception {
        ensure("Mosquitto", 1883, "/usr/sbin/mosquitto", "mosquitto",
                List.of("/usr/sbin/mosquitto", "-d", "-c", "/etc/mosquitto/mosquitto.conf"));
    }

    static void ensure(String name, int port, String binary, String debianPackage, List<String> start) throws Exception {
        if (answers(port)) {
            return;
        }
        if (!new java.io.File(binary).canExecute()) {
            run(List.of("apt-get", "install", "-y", "--no-install-recommends", debianPackage), name + " install");
        }
        run(start, name + " start");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!answers(port)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " started with " + start + " but 127.0.0.1:" + port + " does not answer after 60 s");
            }
            Thread.sleep(250);
        }
    }

    private static void run(List<String> command, String what) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish within 300 s: " + command);
        }
        String output = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            throw new AssertionError(what + " failed (" + p.exitValue() + "): " + command + "\n" + output);
        }
    }

    static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
