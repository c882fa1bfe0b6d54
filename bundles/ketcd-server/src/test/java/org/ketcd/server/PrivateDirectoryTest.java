package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.PutRequest;
import org.ketcd.server.config.ServerConfig;

/**
 * etcd creates its data dir owner-only (0700) and warns, without changing anything, when an existing one
 * is open to others. A member started inside a plain Karaf has no {@code bin/ketcd} to set a umask, so
 * the member itself must create its directories 0700.
 */
class PrivateDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void aNewDirectoryAndItsMissingParentsAreCreatedOwnerOnly() throws Exception {
        Path nested = dir.resolve("a/b/data");
        assertEquals(Optional.empty(), PrivateDirectory.touch(nested));
        assertEquals("rwx------", mode(dir.resolve("a")));
        assertEquals("rwx------", mode(dir.resolve("a/b")));
        assertEquals("rwx------", mode(nested));
    }

    @Test
    void anExistingDirectoryOpenToOthersKeepsItsModeAndGetsEtcdsWarning() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        // etcd 3.4.23 for the same directory (pkg/fileutil, logged as a warning)
        assertEquals(Optional.of("check file permission: directory \"" + data + "\" exist, but the permission is \"drwxr-xr-x\". "
                + "The recommended permission is \"-rwx------\" to prevent possible unprivileged access to the data."),
                PrivateDirectory.touch(data));
        assertEquals("rwxr-xr-x", mode(data));
    }

    @Test
    void anExistingOwnerOnlyDirectoryGetsNoWarning() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PrivateDirectory.OWNER_ONLY);
        assertEquals(Optional.empty(), PrivateDirectory.touch(data));
    }

    @Test
    void aMemberStartedWithoutBinKetcdCreatesItsDataDirOwnerOnly() throws Exception {
        int peer = TestPorts.next();
        Path data = dir.resolve("m1.etcd");
        ServerConfig config = ServerConfig.resolve(new String[] {"--name", "m1", "--data-dir", data.toString(),
                "--listen-client-urls", "http://127.0.0.1:" + TestPorts.next(), "--advertise-client-urls", "http://127.0.0.1:1",
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "m1=http://127.0.0.1:" + peer}, Map.of(), Map.of());
        try (EtcdMember member = EtcdMember.start(config)) {
            long revision = member.server().put(PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v"))).get(20, TimeUnit.SECONDS).revision();
            assertEquals(2, revision);
        }
        for (Path d : new Path[] {data, data.resolve("member"), data.resolve("member").resolve(EtcdMember.STORE_DIR),
                data.resolve("member").resolve(EtcdMember.RAFT_LOG_DIR)}) {
            assertEquals("rwx------", mode(d), d::toString);
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
