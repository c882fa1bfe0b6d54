package org.ketcd.systemtests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.Member;

/**
 * bin/ketcd's class-data archive (README "Start-up"): while a distribution has none for its JVM, a member that served
 * writes it as its JVM exits, and the next start maps it; a dump that a JVM cannot map (a member killed while writing
 * it) is removed, never used: mapping a truncated archive crashes the JVM.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ClassDataArchiveTest {
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(90);
    private static final Duration MARKER_WAIT = Duration.ofSeconds(60);

    @Test
    void a_member_that_served_writes_the_archive_at_exit_the_next_start_maps_it_and_a_truncated_dump_is_never_used()
            throws Exception {
        Member m = Member.prepare(Member.Kind.KETCD, "cds");
        Path cds = m.dataDir().resolveSibling("cds");
        m.withEnvironment("KETCD_CDS_DIR", cds.toString());
        try {
            m.startAlone();
            awaitFile(cds, "." + m.pid() + ".dump.served");
            assertEquals(0, m.ctl("put", "k", "v").exitCode());
            stop(m);
            Path firstDump = single(cds, "." + m.pid() + ".dump");
            assertTrue(Files.size(firstDump) > 0, "empty dump");

            // as if the JVM had been killed while it wrote the dump
            try (RandomAccessFile f = new RandomAccessFile(firstDump.toFile(), "rw")) {
                f.setLength(f.length() / 2);
            }
            m.restart();
            assertFalse(Files.exists(firstDump), "a truncated dump stays");
            assertTrue(files(cds, ".jsa").isEmpty(), "a truncated dump became the archive");
            assertEquals("v", m.ctl("get", "k", "--print-value-only").stdout().strip());
            // with no archive yet, this member writes the next dump
            awaitFile(cds, "." + m.pid() + ".dump.served");
            stop(m);

            m.restart();
            Path archive = single(cds, ".jsa");
            assertTrue(Files.readString(Path.of("/proc/" + m.pid() + "/maps")).contains(archive.toString()),
                    () -> "the member's JVM did not map " + archive);
            assertTrue(files(cds, ".dump").isEmpty(), "a dump stays beside the archive");
            assertEquals("v", m.ctl("get", "k", "--print-value-only").stdout().strip());
        } finally {
            m.close();
        }
    }

    private static void stop(Member m) {
        m.signal("TERM");
        assertEquals(Integer.valueOf(0), m.awaitExit(GRACEFUL_STOP), () -> m.logTail(40));
    }

    private static void awaitFile(Path dir, String suffix) throws IOException {
        long deadline = System.nanoTime() + MARKER_WAIT.toNanos();
        while (files(dir, suffix).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no file *" + suffix + " in " + dir + " after " + MARKER_WAIT + ": "
                        + files(dir, ""));
            }
            Member.sleep(100);
        }
    }

    private static Path single(Path dir, String suffix) throws IOException {
        List<Path> found = files(dir, suffix);
        assertEquals(1, found.size(), () -> "files *" + suffix + " in " + dir + ": " + found);
        return found.get(0);
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }
}
