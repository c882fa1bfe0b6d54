package org.ketcd.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The file `etcdctl snapshot save` receives from Ketcd: the member's state (a zip holding the store's
 * online backup and the member list, zero-padded to whole 512-byte pages) followed, as in etcd's
 * stream, by the SHA-256 of everything before it, so that a restore can tell a whole snapshot from a damaged one. Its content is Ketcd's,
 * not etcd's bbolt file: `etcdctl snapshot status/restore` cannot read it; {@link SnapshotRestore} can.
 */
final class SnapshotFile {
    static final int DIGEST_BYTES = 32;
    /** What etcdctl snapshot save expects the size before the digest to be a multiple of. */
    static final int PAGE_BYTES = 512;

    interface StateWriter {
        long[] write(Path zip) throws IOException;
    }

    private SnapshotFile() {
    }

    /** A new temp file holding the state written by {@code writer} and its digest. */
    static Path write(StateWriter writer) throws IOException {
        Path file = Files.createTempFile("ketcd-snapshot-", ".db");
        try {
            writer.write(file);
            // etcdctl checks that a snapshot is whole pages of 512 bytes plus the digest (etcd's bbolt
            // pages); zeros after the zip's last record are ignored when it is read back.
            long size = Files.size(file);
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                out.write(new byte[(int) ((PAGE_BYTES - size % PAGE_BYTES) % PAGE_BYTES)]);
            }
            byte[] digest = digest(file, Files.size(file));
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                out.write(digest);
            }
            return file;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Checks the trailing digest of a saved snapshot and cuts it off into {@code zip}; throws with a
     * clear message when the file is not a whole Ketcd snapshot.
     */
    static void verifyInto(Path snapshot, Path zip) throws IOException {
        long size = Files.size(snapshot);
        if (size <= DIGEST_BYTES) {
            throw new IOException(snapshot + " is not a Ketcd snapshot: only " + size + " bytes");
        }
        byte[] expected = new byte[DIGEST_BYTES];
        try (FileChannel ch = FileChannel.open(snapshot)) {
            ch.read(java.nio.ByteBuffer.wrap(expected), size - DIGEST_BYTES);
        }
        if (!Arrays.equals(expected, digest(snapshot, size - DIGEST_BYTES))) {
            throw new IOException(snapshot + " is damaged or not a Ketcd snapshot: its SHA-256 does not match");
        }
        try (InputStream in = Files.newInputStream(snapshot); OutputStream out = Files.newOutputStream(zip)) {
            long left = size - DIGEST_BYTES;
            byte[] buf = new byte[64 * 1024];
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    private static byte[] digest(Path file, long length) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                sha.update(buf, 0, n);
                left -= n;
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
