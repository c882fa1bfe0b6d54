package org.ketcd.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The format of the state a leader sends to a member that fell behind, written as a file of its own beside the state.
 * The rule between versions of Ketcd in one cluster is that of {@link CommandBatch}: a Ketcd installs every format up
 * to its {@link #NEWEST_FORMAT} (a newer Ketcd's store opens an older one's database and migrates its schema), and a
 * member sent a state in a newer format stops rather than install what it cannot read; it installs it once updated.
 * A state without the file was written by a Ketcd from before the file, in format 1.
 */
final class SnapshotFormat {
    static final String FILE = "ketcd-snapshot-format";
    static final int FORMAT_V1 = 1;
    /** The newest format this Ketcd installs; it writes {@link #FORMAT_V1}, which every Ketcd installs. */
    static final int NEWEST_FORMAT = FORMAT_V1;

    /** A state written by a newer Ketcd. */
    static final class NewerFormatException extends IOException {
        NewerFormatException(int format) {
            super("snapshot format " + format + " is newer than this Ketcd installs (up to " + NEWEST_FORMAT + ")");
        }
    }

    private SnapshotFormat() {
    }

    static void write(Path stateDir) throws IOException {
        Files.writeString(stateDir.resolve(FILE), FORMAT_V1 + "\n", StandardCharsets.US_ASCII);
    }

    /** The format of the state in {@code stateDir}, if this Ketcd installs it. */
    static int check(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return FORMAT_V1;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        int format;
        try {
            format = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IOException("the snapshot's " + FILE + " holds \"" + text + "\", not a format number", e);
        }
        if (format > NEWEST_FORMAT) {
            throw new NewerFormatException(format);
        }
        if (format < FORMAT_V1) {
            throw new IOException("the snapshot's " + FILE + " names format " + format + ", which no Ketcd writes");
        }
        return format;
    }
}
