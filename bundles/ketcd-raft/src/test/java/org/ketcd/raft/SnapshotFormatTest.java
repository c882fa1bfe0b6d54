package org.ketcd.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFormatTest {
    @TempDir
    Path dir;

    @Test
    void a_state_this_ketcd_writes_is_one_it_installs() throws IOException {
        SnapshotFormat.write(dir);
        assertEquals(SnapshotFormat.FORMAT_V1, SnapshotFormat.check(dir));
    }

    @Test
    void a_state_without_the_format_file_comes_from_an_older_ketcd_in_format_1() throws IOException {
        assertEquals(SnapshotFormat.FORMAT_V1, SnapshotFormat.check(dir));
    }

    @Test
    void a_state_in_a_newer_format_is_refused_naming_both_formats() throws IOException {
        Files.writeString(dir.resolve(SnapshotFormat.FILE), (SnapshotFormat.NEWEST_FORMAT + 1) + "\n");
        SnapshotFormat.NewerFormatException e = assertThrows(SnapshotFormat.NewerFormatException.class,
                () -> SnapshotFormat.check(dir));
        assertEquals("snapshot format 2 is newer than this Ketcd installs (up to 1)", e.getMessage());
    }

    @Test
    void a_format_file_that_holds_no_format_number_is_refused() throws IOException {
        Files.writeString(dir.resolve(SnapshotFormat.FILE), "zip\n");
        IOException e = assertThrows(IOException.class, () -> SnapshotFormat.check(dir));
        assertTrue(e.getMessage().contains("not a format number"), e.getMessage());
        Files.writeString(dir.resolve(SnapshotFormat.FILE), "0\n");
        assertThrows(IOException.class, () -> SnapshotFormat.check(dir));
    }
}
