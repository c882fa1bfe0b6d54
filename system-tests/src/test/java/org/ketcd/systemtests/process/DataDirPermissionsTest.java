package org.ketcd.systemtests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;

/**
 * etcd keeps its data from other local users: it creates every directory of its data dir owner-only (0700) and its
 * WAL and database files 0600, and when an existing data dir is open to others it warns ("check file permission:
 * ...") and goes on. etcd 3.4 writes its raft snapshot files (member/snap/*.snap) with the process's umask (0644
 * here), unreachable behind 0700 directories. Ketcd creates everything owner-only, files 0600 included, Karaf's
 * runtime state too.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DataDirPermissionsTest {
    /** Small enough that the puts below make the member snapshot its state and purge its log. */
    private static final int SNAPSHOT_COUNT = 20;
    private static final int PUTS = 3 * SNAPSHOT_COUNT;
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);

    static Stream<Member.Kind> kinds() {
        return Stream.of(Member.Kind.ETCD, Member.Kind.target());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void a_new_data_dir_and_everything_in_it_is_owner_only_after_writes_snapshots_and_a_stop(Member.Kind kind) throws Exception {
        try (Member m = Member.start(kind, "modes", "--snapshot-count", Integer.toString(SNAPSHOT_COUNT))) {
            for (int i = 0; i < PUTS; i++) {
                assertEquals(0, m.ctl("put", "k" + i, "value " + i).exitCode());
            }
            CommandResult compact = m.ctl("compaction", Integer.toString(PUTS / 2));
            assertEquals(0, compact.exitCode(), compact::toString);
            CommandResult defrag = m.ctl("defrag");
            assertEquals(0, defrag.exitCode(), defrag::toString);
            m.signal("TERM");
            assertTrue(m.awaitExit(GRACEFUL_STOP) != null, () -> m + " did not stop on SIGTERM");

            List<String> open = new ArrayList<>();
            List<Path> trees = new ArrayList<>(List.of(m.dataDir()));
            if (m.runtimeRoot() != null && Files.exists(m.runtimeRoot())) {
                trees.add(m.runtimeRoot()); // Karaf's bundle cache, config admin store, logs
            }
            for (Path tree : trees) {
                try (Stream<Path> all = Files.walk(tree)) {
                    for (Path p : all.toList()) {
                        if (Files.isSymbolicLink(p)) {
                            continue;
                        }
                        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                        boolean directory = Files.isDirectory(p);
                        if (!directory && kind == Member.Kind.ETCD) {
                            continue;
                        }
                        if (!mode.equals(directory ? "rwx------" : "rw-------")) {
                            open.add(mode + " " + p);
                        }
                    }
                }
            }
            assertEquals(List.of(), open.subList(0, Math.min(open.size(), 20)),
                    () -> open.size() + " files or directories open to others");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void an_existing_data_dir_open_to_others_gets_etcds_warning_and_the_member_still_serves(Member.Kind kind) throws Exception {
        Member m = Member.prepare(kind, "loose-modes");
        try {
            Files.createDirectories(m.dataDir());
            Files.setPosixFilePermissions(m.dataDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
            m.startAlone();
            assertEquals(0, m.ctl("put", "k", "v").exitCode());
            assertEquals("v", m.ctl("get", "k", "--print-value-only").stdout().strip());
            // etcd 3.4's wording (pkg/fileutil); etcd leaves the modes as they are
            String warning = "check file permission: directory \"" + m.dataDir() + "\" exist, but the permission is "
                    + "\"drwxr-xr-x\". The recommended permission is \"-rwx------\" to prevent possible unprivileged access "
                    + "to the data.";
            assertTrue(Files.readString(m.logFile()).contains(warning), () -> "no warning \"" + warning + "\" in\n" + m.logTail(80));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(m.dataDir())));
        } finally {
            m.close();
        }
    }
}
