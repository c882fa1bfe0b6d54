package org.ketcd.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.EtcdServer;
import org.ketcd.server.LocalCluster;

/**
 * The ketcd:* commands against a real member, as Karaf's shell runs them (the member's EtcdServer service injected,
 * options set, execute()): what an operator reads.
 */
@Timeout(60)
class ShellCommandsTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static EtcdServer server;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 1, "shell");
        cluster.awaitLeader();
        server = cluster.member(0).server();
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    static <T extends MemberAction> T command(T action) {
        action.server = server;
        return action;
    }

    @Test
    void putGetAndDelAnswerAsEtcdctl() throws Exception {
        Put put = command(new Put());
        put.key = "shell/a";
        put.value = "1";
        assertTrue(out(put).matches("OK \\(revision \\d+\\)"));
        put.key = "shell/b";
        put.value = "two words";
        out(put);

        Get get = command(new Get());
        get.key = "shell/";
        get.prefix = true;
        assertEquals("shell/a\n1\nshell/b\ntwo words", out(get));
        get.limit = 1;
        assertEquals("shell/a\n1\n(1 more)", out(get));
        get.limit = 0;
        get.prefix = false;
        get.key = "shell/a";
        get.revisions = true;
        assertTrue(out(get).matches("shell/a\n  create_revision \\d+, mod_revision \\d+, version 1, lease 0\n1"));

        Del del = command(new Del());
        del.key = "shell/";
        del.prefix = true;
        assertEquals("2", out(del));
        get.key = "shell/";
        get.prefix = true;
        assertEquals("", out(get));
    }

    @Test
    void statusNamesTheMemberItsLeaderAndItsStore() throws Exception {
        String status = out(command(new Status()));
        String id = Long.toHexString(cluster.member(0).memberId());
        assertTrue(status.contains("member          m1 (" + id + ")"), status);
        assertTrue(status.contains("leader          " + id + " (this member)"), status);
        assertTrue(status.contains("alarms          none"), status);
        assertTrue(status.contains("version         3.4."), status);
    }

    @Test
    void membersMarksTheLeader() throws Exception {
        String out = printed(() -> command(new Members()).execute());
        String id = Long.toHexString(cluster.member(0).memberId());
        assertTrue(out.lines().anyMatch(l -> l.startsWith(id) && l.contains("m1") && l.contains("leader")), out);
    }

    @Test
    void leasesListTheirTtlAndKeys() throws Exception {
        long id = server.leaseGrant(60, 0).get(5, TimeUnit.SECONDS).id();
        server.put(new org.ketcd.api.PutRequest(org.ketcd.api.Bytes.utf8("shell/leased"), org.ketcd.api.Bytes.utf8("v"), id,
                false, false, false)).get(5, TimeUnit.SECONDS);
        String out = printed(() -> command(new Leases()).execute());
        assertTrue(out.lines().anyMatch(l -> l.startsWith(Long.toHexString(id)) && l.contains("60") && l.trim().endsWith("1")), out);
    }

    @Test
    void compactAndDefragSayWhatTheyDid() throws Exception {
        long revision = server.currentRevision();
        Compact compact = command(new Compact());
        compact.revision = revision;
        compact.physical = true;
        assertEquals("compacted revision " + revision, out(compact));
        List<String> defrag = out(command(new Defrag())).lines().toList();
        // one line per table of the store as its rebuild begins, then the result
        assertTrue(defrag.size() > 2, String.join("\n", defrag));
        for (int i = 0; i < defrag.size() - 1; i++) {
            assertTrue(defrag.get(i).matches("defragmenting table " + (i + 1) + " of " + (defrag.size() - 1)
                    + " \\([A-Z]+\\), \\d+\\.\\d s so far"), defrag.get(i));
        }
        assertTrue(defrag.get(defrag.size() - 1).startsWith("Finished defragmenting in "), String.join("\n", defrag));
        assertEquals("", out(command(new Alarms())));
    }

    @Test
    void watchPrintsChangesAsEtcdctlFromHistoryAndAsTheyHappen() throws Exception {
        long first = put("watched/a", "1");
        put("watched/b", "2");
        server.deleteRange(new org.ketcd.api.DeleteRangeRequest(org.ketcd.api.Bytes.utf8("watched/a"), new byte[0], false))
                .get(5, TimeUnit.SECONDS);
        Watch history = command(new Watch());
        history.key = "watched/";
        history.prefix = true;
        history.rev = first;
        history.count = 3;
        assertEquals("PUT\nwatched/a\n1\nPUT\nwatched/b\n2\nDELETE\nwatched/a", out(history));

        Watch live = command(new Watch());
        live.key = "watched/b";
        live.count = 1;
        long watchersBefore = server.stats().watchers();
        java.util.concurrent.CompletableFuture<String> printed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return out(live);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
             server.stats().watchers() == watchersBefore && System.nanoTime() < deadline; ) {
            Thread.sleep(10);
        }
        put("watched/c", "not watched");
        put("watched/b", "3");
        assertEquals("PUT\nwatched/b\n3", printed.get(10, TimeUnit.SECONDS));
    }

    @Test
    void watchFromACompactedRevisionEndsWithEtcdctlsWords() throws Exception {
        put("compacted/k", "v");
        server.compact(new org.ketcd.api.CompactionRequest(server.currentRevision(), true)).get(5, TimeUnit.SECONDS);
        Watch watch = command(new Watch());
        watch.key = "compacted/k";
        watch.rev = 1;
        assertEquals("watch was canceled (etcdserver: mvcc: required revision has been compacted)", out(watch));
    }

    @Test
    void snapshotSaveWritesTheMembersSnapshotWithItsHashWhole(@TempDir Path saved) throws Exception {
        put("snap/k", "v");
        SnapshotSave save = command(new SnapshotSave());
        save.file = saved.resolve("backup.db").toString();
        String said = out(save);
        byte[] file = java.nio.file.Files.readAllBytes(saved.resolve("backup.db"));
        assertEquals("Snapshot saved at " + saved.resolve("backup.db") + " (" + file.length + " bytes)", said);
        byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOf(file, file.length - 32));
        assertEquals(java.util.HexFormat.of().formatHex(hash),
                java.util.HexFormat.of().formatHex(java.util.Arrays.copyOfRange(file, file.length - 32, file.length)),
                "the snapshot ends with the SHA-256 of what precedes it, as etcdctl's file");
        assertEquals(List.of("backup.db"), java.nio.file.Files.list(saved).map(p -> p.getFileName().toString()).toList(),
                "no .part file left");
    }

    @Test
    void keysCompleteFromWhatIsTyped() throws Exception {
        put("complete/alpha", "1");
        put("complete/beta", "2");
        put("completely/other", "3");
        KeyCompleter completer = new KeyCompleter();
        completer.server = server;
        assertEquals(List.of("complete/alpha", "complete/beta"), completer.keysStartingWith("complete/"));
        assertEquals(List.of("complete/beta"), completer.keysStartingWith("complete/b"));
        assertTrue(completer.keysStartingWith("").containsAll(List.of("complete/alpha", "completely/other")));
    }

    private static long put(String key, String value) throws Exception {
        return server.put(org.ketcd.api.PutRequest.of(org.ketcd.api.Bytes.utf8(key), org.ketcd.api.Bytes.utf8(value)))
                .get(5, TimeUnit.SECONDS).revision();
    }

    @Test
    void aBadUserOptionIsRefusedClearly() {
        Get get = command(new Get());
        get.key = "x";
        get.user = "no-colon";
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, get::execute);
        assertEquals("--user takes name:password", e.getMessage());
    }

    /** What a command printed, without the last line break. */
    @Test
    void routesListsTheMembersCamelRoutesWithCountsCheckpointAndLastFailure() throws Exception {
        Path file = dir.resolve("shell.camel.yaml");
        java.nio.file.Files.writeString(file, """
                - route:
                    id: shell-route
                    from:
                      uri: "ketcd:/shell-route/?prefix=true&checkpointIntervalMs=0"
                      steps:
                        - filter:
                            simple: "${header.KetcdKey} ends with 'bad'"
                            steps:
                              - throwException:
                                  exceptionType: "java.lang.IllegalArgumentException"
                                  message: "no ${header.KetcdKey}"
                """);
        try (org.ketcd.camel.deploy.CamelRuntime camel = org.ketcd.camel.deploy.CamelRuntime.start(server, "m1", 3)) {
            assertTrue(camel.deploy(file));
            long good = server.put(org.ketcd.api.PutRequest.of(org.ketcd.api.Bytes.utf8("/shell-route/a"),
                    org.ketcd.api.Bytes.utf8("1"))).get(10, TimeUnit.SECONDS).revision();
            server.put(org.ketcd.api.PutRequest.of(org.ketcd.api.Bytes.utf8("/shell-route/bad"), org.ketcd.api.Bytes.utf8("2")))
                    .get(10, TimeUnit.SECONDS);
            Routes routes = new Routes();
            routes.routes = camel;
            String printed = out(routes);
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                 !printed.contains("last failure") && System.nanoTime() < deadline; printed = out(routes)) {
                Thread.sleep(50);
            }
            List<String> lines = printed.lines().toList();
            assertTrue(lines.get(0).matches("ID\\s+\\| Status\\s+\\| Completed \\| Failed \\| Inflight \\| Checkpoint \\| File\\s+\\| From"),
                    printed);
            assertTrue(lines.get(2).matches("shell-route \\| Started\\s+\\|\\s+1 \\|\\s+\\d+ \\|\\s+\\d \\|\\s+" + good
                    + " \\| shell.camel.yaml \\| ketcd:///shell-route/\\?checkpointIntervalMs=0&prefix=true"), printed);
            assertEquals("shell-route: last failure: IllegalArgumentException: no /shell-route/bad", lines.get(lines.size() - 1));
        }
    }

    static String out(org.apache.karaf.shell.api.action.Action command) throws Exception {
        return printed(command::execute).stripTrailing();
    }

    interface Body {
        Object run() throws Exception;
    }

    /** What a command printed to the console (tables go to System.out, as in Karaf's shell session). */
    static String printed(Body body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
