package org.ketcd.systemtests.harness;

import java.util.List;
import java.util.function.Function;

/**
 * Runs the same etcdctl command against a real etcd and against Ketcd and records every difference in
 * exit code, stdout and stderr after {@link Normalizer normalisation}; every compared command goes to
 * target/system-tests-work/etcdctl-transcript.txt with etcd's normalised output.
 */
public final class EtcdctlComparison implements AutoCloseable {
    private final Member etcd;
    private final Member ketcd;
    private final List<String> differences;

    /** Differences are kept here until {@link #reportDifferences()}. */
    public EtcdctlComparison(Member etcd, Member ketcd) {
        this(etcd, ketcd, new java.util.ArrayList<>());
    }

    /** Differences are added to {@code differences}, which the test reports. */
    public EtcdctlComparison(Member etcd, Member ketcd, List<String> differences) {
        this.etcd = etcd;
        this.ketcd = ketcd;
        this.differences = differences;
    }

    public CommandResult same(String... args) {
        return sameStdin(null, args);
    }

    public CommandResult sameStdin(String stdin, String... args) {
        CommandResult e = etcd.ctlStdin(stdin, args);
        CommandResult k = ketcd.ctlStdin(stdin, args);
        compare(args, e, k);
        return e;
    }

    /** Arguments that differ per member (its endpoint, a lease id it granted). */
    public void same(Function<Member, String[]> args) {
        CommandResult e = etcd.ctl(args.apply(etcd));
        CommandResult k = ketcd.ctl(args.apply(ketcd));
        compare(args.apply(etcd), e, k);
    }

    /** Fails the test with every difference recorded since the last report, and forgets them. */
    public void reportDifferences() {
        if (!differences.isEmpty()) {
            String report = differences.size() + " difference(s) between etcd and Ketcd:\n\n" + String.join("\n\n", differences);
            differences.clear();
            org.junit.jupiter.api.Assertions.fail(report);
        }
    }

    /** Stops both members. */
    @Override
    public void close() {
        try {
            ketcd.close();
        } finally {
            etcd.close();
        }
    }

    /** As {@link #same(Function)}, for etcdctl without the members' TLS flags (a client with no certificate). */
    public void sameWithoutTls(Function<Member, String[]> args) {
        CommandResult e = etcd.ctlWithoutTls(args.apply(etcd));
        CommandResult k = ketcd.ctlWithoutTls(args.apply(ketcd));
        compare(args.apply(etcd), e, k);
    }

    /** Compares results the caller got itself (e.g. to read a lease id from them). */
    public void compare(String[] args, CommandResult e, CommandResult k) {
        String ne = Normalizer.normalize(e, etcd);
        String nk = Normalizer.normalize(k, ketcd);
        transcript("### etcdctl " + String.join(" ", args) + "\n" + ne + (ne.equals(nk) ? "\n(same on Ketcd)" : "\n=== Ketcd DIFFERS ===\n" + nk));
        if (!ne.equals(nk)) {
            differences.add("### etcdctl " + String.join(" ", args) + "\n=== etcd (normalised) ===\n" + ne
                    + "\n=== Ketcd (normalised) ===\n" + nk + "\n=== raw etcd ===\n" + e + "\n=== raw Ketcd ===\n" + k);
        }
    }

    private static void transcript(String entry) {
        try {
            java.nio.file.Path f = java.nio.file.Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work"),
                    "etcdctl-transcript.txt");
            java.nio.file.Files.createDirectories(f.getParent());
            java.nio.file.Files.writeString(f, entry + "\n\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException ignored) {
            // diagnostics only
        }
    }
}
