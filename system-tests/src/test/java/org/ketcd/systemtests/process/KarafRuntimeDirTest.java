package org.ketcd.systemtests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Reaper;

/**
 * Karaf's runtime state (a ~140 MB bundle cache, logs, tmp) is not the member's data: kept in the data dir it made a
 * data dir on a small file system unusable. bin/ketcd keeps it in a directory per data dir under KETCD_RUNTIME_DIR
 * (default: the distribution's data/members), reused when the member restarts, and removes such a directory once its
 * data dir is gone and its member is not running.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KarafRuntimeDirTest {
    /** A member's own data after a few writes: Derby's files and a preallocated Raft log segment (6 MB measured). */
    private static final long DATA_DIR_LIMIT_BYTES = 16L << 20;
    /** bin/ketcd's default KETCD_RUNTIME_DIR. */
    private static final Path DEFAULT_ROOT = Member.ketcdScript().getParent().getParent().resolve("data/members");
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);

    @Test
    void the_bundle_cache_is_outside_the_data_dir_in_the_distribution_and_reused_on_restart() throws Exception {
        Member m = Member.prepare(Member.Kind.KETCD, "runtime-default").withDefaultRuntimeDir();
        Path runtime = null;
        try {
            m.startAlone();
            assertEquals(0, m.ctl("put", "k", "v").exitCode());
            assertFalse(Files.exists(m.dataDir().resolve("karaf")), "Karaf's state in the data dir");
            long dataBytes = size(m.dataDir());
            assertTrue(dataBytes < DATA_DIR_LIMIT_BYTES, () -> "data dir holds " + dataBytes + " bytes");

            runtime = runtimeDirOf(DEFAULT_ROOT, m.dataDir());
            Path runtimeDir = runtime;
            assertEquals(Long.toString(m.pid()), Files.readString(runtime.resolve("karaf.pid")).strip());
            Path bundleJar = runtime.resolve("cache/bundle1/version0.0/bundle.jar");
            assertTrue(Files.isRegularFile(bundleJar), () -> "no bundle cache in " + runtimeDir);
            Object cachedJar = Files.readAttributes(bundleJar, BasicFileAttributes.class).fileKey();

            m.signal("TERM");
            assertEquals(Integer.valueOf(0), m.awaitExit(GRACEFUL_STOP), () -> m.logTail(40));
            m.restart();
            assertEquals("v", m.ctl("get", "k", "--print-value-only").stdout().strip());
            assertEquals(runtime, runtimeDirOf(DEFAULT_ROOT, m.dataDir()));
            // the same file (inode), not a fresh copy of the bundle
            assertEquals(cachedJar, Files.readAttributes(bundleJar, BasicFileAttributes.class).fileKey());
        } finally {
            m.close();
            if (runtime != null) {
                Member.deleteRecursively(runtime);
            }
        }
    }

    @Test
    void a_runtime_dir_whose_data_dir_is_gone_is_removed_at_the_next_start_unless_its_member_runs() throws Exception {
        Member m = Member.prepare(Member.Kind.KETCD, "runtime-prune");
        Process running = null;
        try {
            Path root = Files.createDirectories(m.runtimeRoot());
            Path orphan = runtimeDir(root, "orphan", m.dataDir().resolveSibling("deleted-data-dir"));
            Path live = runtimeDir(root, "live", m.dataDir().getParent());
            Path runningOrphan = runtimeDir(root, "running-orphan", m.dataDir().resolveSibling("also-deleted"));
            // a process that bin/ketcd must take for the member using it: its command line carries -Dkaraf.data=<dir>
            running = Reaper.register(new ProcessBuilder("bash", "-c", "sleep 600; :", "-Dkaraf.data=" + runningOrphan).start());
            Files.writeString(runningOrphan.resolve("karaf.pid"), running.pid() + "\n");

            m.startAlone();
            assertFalse(Files.exists(orphan), "runtime dir of a deleted data dir");
            assertTrue(Files.exists(live), "runtime dir of an existing data dir");
            assertTrue(Files.exists(runningOrphan), "runtime dir of a running member whose data dir was deleted");
            assertTrue(Files.isDirectory(runtimeDirOf(root, m.dataDir()).resolve("cache")));
        } finally {
            if (running != null) {
                Reaper.killNow(running);
            }
            m.close();
        }
    }

    /** A runtime dir as bin/ketcd leaves it: the data dir it served, and a bundle cache. */
    private static Path runtimeDir(Path root, String name, Path dataDir) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name).resolve("cache/bundle1/version0.0"));
        Files.writeString(dir.resolve("bundle.jar"), "jar");
        Files.writeString(root.resolve(name).resolve("data-dir"), dataDir + "\n");
        return root.resolve(name);
    }

    /** The runtime dir under {@code root} whose data-dir file names this data dir. */
    private static Path runtimeDirOf(Path root, Path dataDir) throws IOException {
        Path real = dataDir.toRealPath();
        try (Stream<Path> dirs = Files.list(root)) {
            List<Path> found = dirs.filter(d -> {
                try {
                    Path marker = d.resolve("data-dir");
                    return Files.exists(marker) && Files.readString(marker).strip().equals(real.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
            assertEquals(1, found.size(), () -> "runtime dirs of " + real + " under " + root + ": " + found);
            return found.get(0);
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
