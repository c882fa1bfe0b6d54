package org.ketcd.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code etcdctl snapshot save}: this member's state into a file on the member's machine (what the Maintenance.Snapshot
 * stream carries, its SHA-256 at the end, as etcdctl saves it), written beside the target and renamed into place, so a
 * file at that path is always whole. A relative path is the member's working directory.
 */
@Service
@Command(scope = "ketcd", name = "snapshot-save", description = "Saves this member's snapshot to a file on its machine, as etcdctl snapshot save")
public final class SnapshotSave extends MemberAction {
    /** Longest the member may take to write the snapshot (a large store takes a while, as etcdctl's has no deadline). */
    static final long SNAPSHOT_TIMEOUT_SECONDS = 600;

    @Argument(index = 0, name = "file", required = true, description = "where to save it (on the member's machine)")
    String file;

    @Override
    public Object execute() throws Exception {
        Path target = Path.of(file).toAbsolutePath();
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Path made = member().snapshot().get(SNAPSHOT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try {
            Files.copy(made, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(made);
            Files.deleteIfExists(part);
        }
        return print("Snapshot saved at " + target + " (" + Files.size(target) + " bytes)");
    }
}
