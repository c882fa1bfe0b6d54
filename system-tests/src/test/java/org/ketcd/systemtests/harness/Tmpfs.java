package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small tmpfs file system mounted on a directory of the test (needs root, as CI runs), so that a member's
 * data dir can run out of space for real. Unmount it after the processes using it are gone.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code size} (mount(8)'s syntax, e.g. {@code 48m}), mode 0700, on {@code dir}. */
    public static Tmpfs mount(Path dir, String size) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CommandResult r = Member.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString()));
        if (!r.ok()) {
            throw new AssertionError("cannot mount a tmpfs on " + dir + " (the disk-full tests need root): " + r);
        }
        return new Tmpfs(dir);
    }

    /** Changes the file system's size; what it holds stays. */
    public void resize(String size) {
        CommandResult r = Member.run(List.of("mount", "-o", "remount,size=" + size, mountPoint.toString()));
        if (!r.ok()) {
            throw new AssertionError("cannot resize the tmpfs on " + mountPoint + ": " + r);
        }
    }

    @Override
    public void close() {
        CommandResult r = Member.run(List.of("umount", mountPoint.toString()));
        if (!r.ok()) {
            // still busy (a process not gone yet): detach it now, the kernel frees it when the last user leaves
            Member.run(List.of("umount", "-l", mountPoint.toString()));
        }
    }
}
