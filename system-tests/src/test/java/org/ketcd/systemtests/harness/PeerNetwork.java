package org.ketcd.systemtests.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private network for partition tests: member i runs in its own network namespace with its own
 * address 10.77.N.(i+1) on a veth pair plugged into a bridge of the host namespace (the bridge holds
 * 10.77.N.254, so etcdctl in the test JVM reaches every member). Cutting members i and j apart adds a
 * blackhole route to each other's address inside both namespaces: their peer traffic is dropped in both
 * directions while clients still reach both sides (so the test can ask the minority and see it refuse).
 * Healing deletes the routes. {@link #close()} deletes every namespace, veth and the bridge it made.
 * Needs root (ip netns); close the members first.
 */
public final class PeerNetwork implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final String tag;
    private final int subnet;
    private final int size;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> cuts = new ArrayList<>();
    private boolean bridgeMade;

    private PeerNetwork(int size) {
        int n = INSTANCES.getAndIncrement();
        long pid = ProcessHandle.current().pid();
        this.tag = "kf" + Long.toString((pid * 16 + n) % (36L * 36 * 36 * 36), 36);
        this.subnet = (int) ((pid + n) % 200) + 20;
        this.size = size;
    }

    /** Makes the bridge and {@code size} namespaces; fails with the command's output if ip refuses. */
    public static PeerNetwork create(int size) {
        PeerNetwork net = new PeerNetwork(size);
        try {
            net.ip("link", "add", net.bridge(), "type", "bridge");
            net.bridgeMade = true;
            net.ip("addr", "add", "10.77." + net.subnet + ".254/24", "dev", net.bridge());
            net.ip("link", "set", net.bridge(), "up");
            for (int i = 0; i < size; i++) {
                String ns = net.tag + "-" + i;
                net.ip("netns", "add", ns);
                net.namespaces.add(ns);
                String hostSide = net.tag + "h" + i;
                String nsSide = net.tag + "n" + i;
                net.ip("link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
                net.ip("link", "set", nsSide, "netns", ns);
                net.ip("link", "set", hostSide, "master", net.bridge());
                net.ip("link", "set", hostSide, "up");
                net.ip("-n", ns, "link", "set", "lo", "up");
                net.ip("-n", ns, "addr", "add", net.address(i) + "/24", "dev", nsSide);
                net.ip("-n", ns, "link", "set", nsSide, "up");
            }
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
        return net;
    }

    public String address(int i) {
        return "10.77." + subnet + "." + (i + 1);
    }

    /** The command prefix that runs a program in member i's namespace; ip netns exec execs it (same PID). */
    public List<String> launchPrefix(int i) {
        return List.of("ip", "netns", "exec", namespaces.get(i));
    }

    /** Drops all peer traffic between member {@code i} and every other member. */
    public void isolate(int i) {
        for (int j = 0; j < size; j++) {
            if (j != i) {
                cut(i, j);
            }
        }
    }

    /** Drops all traffic between the members in {@code side} and all the others. */
    public void split(Set<Integer> side) {
        for (int i : side) {
            for (int j = 0; j < size; j++) {
                if (!side.contains(j)) {
                    cut(i, j);
                }
            }
        }
    }

    private void cut(int i, int j) {
        blackhole(i, j);
        blackhole(j, i);
    }

    private void blackhole(int from, int to) {
        String route = namespaces.get(from) + " " + address(to);
        if (!cuts.contains(route)) {
            ip("-n", namespaces.get(from), "route", "add", "blackhole", address(to) + "/32");
            cuts.add(route);
        }
    }

    /** Deletes every cut: all members reach each other again. */
    public void heal() {
        for (String route : List.copyOf(cuts)) {
            String[] nsAndAddress = route.split(" ");
            ip("-n", nsAndAddress[0], "route", "del", "blackhole", nsAndAddress[1] + "/32");
            cuts.remove(route);
        }
    }

    private String bridge() {
        return tag + "br";
    }

    private void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        CommandResult r = Member.run(cmd);
        if (!r.ok()) {
            throw new IllegalStateException("network setup failed (network namespaces need root): " + r);
        }
    }

    /** Deletes the namespaces (and with them the veths) and the bridge; best effort, reports what remains. */
    @Override
    public void close() {
        List<String> failed = new ArrayList<>();
        for (String ns : namespaces) {
            CommandResult r = Member.run(List.of("ip", "netns", "del", ns));
            if (!r.ok()) {
                failed.add(r.describe());
            }
        }
        for (int i = 0; i < namespaces.size(); i++) {
            // normally gone with the namespace; a leftover host side would keep the bridge busy
            Member.run(List.of("ip", "link", "del", tag + "h" + i));
        }
        namespaces.clear();
        if (bridgeMade) {
            CommandResult r = Member.run(List.of("ip", "link", "del", bridge()));
            if (!r.ok()) {
                failed.add(r.describe());
            }
            bridgeMade = false;
        }
        if (!failed.isEmpty()) {
            System.err.println("[system-tests] PeerNetwork " + tag + " teardown left something behind:\n" + String.join("\n", failed));
        }
    }

    @Override
    public String toString() {
        return "PeerNetwork[" + tag + ", 10.77." + subnet + ".0/24, " + size + " namespaces]";
    }
}
