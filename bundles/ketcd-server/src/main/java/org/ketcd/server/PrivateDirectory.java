package org.ketcd.server;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * A directory of the member's data that only its owner may enter, as etcd's {@code fileutil.TouchDirAll}
 * makes them: created with mode 0700 (the process's umask cannot widen that), and when it already exists
 * with other modes, left as it is with etcd's warning. Files inside get the process's umask (0600 under
 * {@code bin/ketcd}'s {@code umask 077}); inside a plain Karaf they may be 0644, but no other user can
 * reach them through a 0700 directory.
 */
final class PrivateDirectory {
    /** etcd's {@code fileutil.PrivateDirMode}. */
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDirectory() {
    }

    /**
     * Creates {@code dir} (and missing parents) owner-only, or returns etcd 3.4's warning when it exists with
     * other permissions, worded as etcd logs it: {@code check file permission: directory "<dir>" exist, but
     * the permission is "drwxr-xr-x". The recommended permission is "-rwx------" ...}.
     */
    static Optional<String> touch(Path dir) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir);
            return Optional.empty();
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            return Optional.empty();
        }
        Set<PosixFilePermission> actual = Files.getPosixFilePermissions(dir);
        if (actual.equals(OWNER_ONLY)) {
            return Optional.empty();
        }
        // Go prints a FileMode as "d" + the nine permission letters for a directory, "-" + them for the mode alone
        return Optional.of("check file permission: directory \"" + dir + "\" exist, but the permission is \"d"
                + PosixFilePermissions.toString(actual) + "\". The recommended permission is \"-"
                + PosixFilePermissions.toString(OWNER_ONLY) + "\" to prevent possible unprivileged access to the data.");
    }
}
