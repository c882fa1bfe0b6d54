package org.ketcd.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.ketcd.server.config.ConfigException;
import org.ketcd.server.config.ServerConfig;

/**
 * {@code bin/ketcd snapshot restore <file> --name ... --data-dir ... --initial-cluster ...
 * --initial-cluster-token ... --initial-advertise-peer-urls ...}: makes a new member's data dir from a
 * file saved by {@code etcdctl snapshot save}, as {@code etcdctl snapshot restore} does for etcd. Run it
 * once per member of the new cluster, with the same file and the new cluster's flags; then start every
 * member with those flags. The new cluster has the snapshot's keys and revisions, a new identity, and a
 * new Raft log: the store's consistent index is reset at the member's first start ({@link #MARKER}).
 */
public final class SnapshotRestore {
    /** Left in the store dir by a restore: the first start resets the consistent index, then removes it. */
    static final String MARKER = "restored-from-snapshot";

    private SnapshotRestore() {
    }

    /** Restores; returns the line to print. */
    public static String run(Path snapshot, String[] flags, Map<String, String> env, Map<String, String> cfg)
            throws ConfigException {
        ServerConfig config = ServerConfig.resolve(flags, env, cfg);
        Path memberDir = config.dataDir().resolve("member");
        if (Files.exists(memberDir)) {
            throw new ConfigException("data-dir \"" + config.dataDir() + "\" exists");
        }
        if (!Files.isRegularFile(snapshot)) {
            throw new ConfigException("snapshot file \"" + snapshot + "\" not found");
        }
        config.initialCluster(); // the bootstrap checks, as for a new member
        Path work = null;
        try {
            PrivateDirectory.touch(config.dataDir());
            PrivateDirectory.touch(memberDir);
            work = Files.createTempDirectory(config.dataDir(), ".restore-");
            Path zip = work.resolve("state.zip");
            SnapshotFile.verifyInto(snapshot, zip);
            Path state = work.resolve("state");
            unzip(zip, state);
            Path storeDir = memberDir.resolve(EtcdMember.STORE_DIR);
            PrivateDirectory.touch(storeDir);
            try (Stream<Path> copied = Files.list(state.resolve(StoreApplier.SNAPSHOT_STORE_DIR))) {
                for (Path p : copied.toList()) {
                    Files.move(p, storeDir.resolve(p.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.writeString(storeDir.resolve(MARKER), "reset the consistent index at first start\n");
            MemberIdentity identity = MemberIdentity.loadOrBootstrap(config, memberDir, null);
            return "restored snapshot " + snapshot + " into " + config.dataDir() + " as member " + identity.name() + " ("
                    + Long.toHexString(identity.memberId()) + ") of cluster " + Long.toHexString(identity.clusterId());
        } catch (ConfigException e) {
            throw e;
        } catch (Exception e) {
            deleteQuietly(memberDir);
            throw new ConfigException("cannot restore " + snapshot + ": " + e.getMessage());
        } finally {
            deleteQuietly(work);
        }
    }

    // bin/ketcd runs a restore with the ketcd-server jar alone on the class path (no Ratis, no Derby),
    // so the zip and file helpers of ketcd-raft are not at hand: these few lines repeat them.
    private static void unzip(Path zip, Path dir) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("snapshot entry outside its directory: " + e.getName());
                }
                Files.createDirectories(target.getParent());
                Files.copy(in, target);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: the caller reports the real failure
        }
    }
}
