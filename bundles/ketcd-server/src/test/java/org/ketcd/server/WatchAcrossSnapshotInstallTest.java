package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.Event;
import org.ketcd.api.PutRequest;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;
import org.ketcd.mvcc.MvccOptions;
import org.ketcd.mvcc.MvccStore;
import org.ketcd.server.watch.WatchHub;

/**
 * A follower that installs a snapshot from the leader replaces its whole store: its watchers must
 * survive it, reading the revisions they never saw applied from the new store (or be canceled with
 * the compact revision if those were compacted on the leader).
 */
class WatchAcrossSnapshotInstallTest {
    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A leader's store 4 writes ahead of the follower's, copied as a snapshot; compacted to {@code compactAt} if > 0. */
    private Path leaderSnapshot(long compactAt) {
        try (MvccStore leader = MvccStore.open(dir.resolve("leader"), MvccOptions.defaults())) {
            leader.put(PutRequest.of(b("k"), b("1")));
            leader.put(PutRequest.of(b("k"), b("2")));
            leader.put(PutRequest.of(b("other"), b("x")));
            leader.put(PutRequest.of(b("k"), b("3")));
            if (compactAt > 0) {
                leader.compact(new CompactionRequest(compactAt, false));
            }
            leader.commit();
            leader.backupTo(dir.resolve("snapshot"));
        }
        return dir.resolve("snapshot");
    }

    static List<WatchBatch> drainCatchingUp(WatchHub hub, Watch w) {
        List<WatchBatch> out = new ArrayList<>();
        boolean more;
        do {
            more = hub.catchUpRound();
            for (WatchBatch b = w.poll(); b != null; b = w.poll()) {
                out.add(b);
            }
        } while (more);
        return out;
    }

    @Test
    void aWatcherSeesTheRevisionsASnapshotInstalledAndThenLiveWrites() {
        Path snapshot = leaderSnapshot(0);
        ReplaceableStore follower = new ReplaceableStore(dir.resolve("follower"), MvccOptions.defaults());
        try {
            WatchHub hub = new WatchHub(follower, () -> { });
            Watch w = hub.watch(WatchRequest.of(b("k"), Bytes.EMPTY, 0), () -> { });
            follower.put(PutRequest.of(b("k"), b("1"))); // revision 2, applied the normal way
            follower.replaceWith(snapshot); // revisions 3..5 arrive as a snapshot
            follower.put(PutRequest.of(b("k"), b("4")));
            List<String> got = new ArrayList<>();
            for (WatchBatch batch : drainCatchingUp(hub, w)) {
                for (Event e : batch.events()) {
                    got.add(new String(e.kv().value(), StandardCharsets.UTF_8) + "@" + e.revision());
                }
            }
            assertEquals(List.of("1@2", "2@3", "3@5", "4@6"), got);
        } finally {
            follower.close();
        }
    }

    @Test
    void aWatcherWhoseMissedRevisionsWereCompactedOnTheLeaderIsCanceled() {
        Path snapshot = leaderSnapshot(5);
        ReplaceableStore follower = new ReplaceableStore(dir.resolve("follower"), MvccOptions.defaults());
        try {
            WatchHub hub = new WatchHub(follower, () -> { });
            Watch w = hub.watch(WatchRequest.of(b("k"), Bytes.EMPTY, 0), () -> { });
            follower.replaceWith(snapshot);
            List<WatchBatch> got = drainCatchingUp(hub, w);
            assertEquals(1, got.size());
            assertTrue(got.get(0).canceled());
            assertEquals(5, got.get(0).compactRevision());
        } finally {
            follower.close();
        }
    }
}
