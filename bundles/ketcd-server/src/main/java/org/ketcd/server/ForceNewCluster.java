package org.ketcd.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ketcd.api.Member;
import org.ketcd.raft.Command;
import org.ketcd.raft.RaftNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's {@code --force-new-cluster}: a member of a cluster that lost its quorum restarts as the only member of
 * the same cluster (same cluster and member IDs; the same keys, revisions, leases, users and alarms), to which new
 * members can then be added. Its Raft log is first replayed into the store up to the commit index the member knows;
 * then the log is replaced by a new one whose configuration names this member alone, and every other member is
 * removed from the member list. Entries the member held but never learned as committed are dropped, as etcd drops
 * uncommitted entries. As with etcd, a restart that still carries the flag does it again (and removes members
 * added since): drop the flag once the member runs.
 */
final class ForceNewCluster {
    private static final Logger LOG = LoggerFactory.getLogger(ForceNewCluster.class);

    /** The longest the replay of the old log may take. */
    static final long REPLAY_TIMEOUT_MS = 120_000;
    /** In the member dir while the old log is being replaced: a start that finds it finishes the replacement. */
    static final String MARKER = "forcing-new-cluster";

    private ForceNewCluster() {
    }

    /** Whether an earlier start stopped while replacing the log (it must be finished before Raft starts). */
    static boolean unfinished(Path memberDir) {
        return Files.exists(memberDir.resolve(MARKER));
    }

    /**
     * Replays the old log ({@code old}, just started on it) into the store up to the commit index it knows, closes
     * it and commits the store.
     */
    static void replay(RaftNode old, StoreApplier applier) throws IOException, InterruptedException {
        long committed = old.lastLogIndex();
        long applied;
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLAY_TIMEOUT_MS);
            while (old.appliedIndex() < committed && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            applied = old.appliedIndex();
        } finally {
            old.close();
        }
        if (applied < committed) {
            throw new IOException("--force-new-cluster: the log was replayed to index " + applied + " of " + committed
                    + " committed in " + REPLAY_TIMEOUT_MS + " ms; nothing was changed, start again to retry");
        }
        applier.flush();
        LOG.warn("forcing a new cluster: the old Raft log was replayed up to its commit index {}", committed);
    }

    /**
     * Leaves the member list naming this member alone, the store's consistent index at 0 and {@code raftLogDir}
     * empty, for a new one-member log. Each step can be done again: a start that stopped midway (the marker is
     * still there) does them all again.
     */
    static void reshape(Path memberDir, ReplaceableStore store, ClusterMembers members, long selfId, Path raftLogDir)
            throws IOException {
        Path marker = memberDir.resolve(MARKER);
        Files.writeString(marker, "the Raft log is being replaced by a one-member log; a start finishes it\n");
        try (FileChannel ch = FileChannel.open(marker, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        for (Member m : members.list()) {
            if (m.id() != selfId) {
                members.apply(Command.MemberChange.Kind.REMOVE, m);
            } else if (m.learner()) {
                members.apply(Command.MemberChange.Kind.PROMOTE, m);
            }
        }
        store.setConsistentIndex(0);
        store.commit();
        if (Files.exists(raftLogDir)) {
            deleteRecursively(raftLogDir);
        }
        PrivateDirectory.touch(raftLogDir);
        Files.delete(marker);
        LOG.warn("forcing a new cluster: this member ({}) is now the only one, at revision {}", Long.toHexString(selfId),
                store.currentRevision());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
