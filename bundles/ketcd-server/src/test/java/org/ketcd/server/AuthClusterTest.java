package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdAuth;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.KeyValue;
import org.ketcd.api.Permission;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/**
 * etcd's auth on three members in one JVM: a token handed out by one member is good on the others at once,
 * every member decides a write's permission alike, and the auth store survives a restart.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AuthClusterTest {
    @TempDir
    Path dir;
    private LocalCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static EtcdError refusal(Future<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        Throwable cause = e.getCause();
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(cause instanceof EtcdException, () -> "not an etcd error: " + e.getCause());
        return ((EtcdException) cause).error();
    }

    private static PutRequest put(String key, String value) {
        return PutRequest.of(Bytes.utf8(key), Bytes.utf8(value));
    }

    private static KeyValue get(EtcdServer s, String key) throws Exception {
        List<KeyValue> kvs = await(s.range(RangeRequest.of(Bytes.utf8(key), Bytes.EMPTY))).kvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    /** Waits until member {@code i} applied everything committed so far (a linearizable read). */
    private void caughtUp(int i, String rootToken) throws Exception {
        get(cluster.member(i).server().withToken(rootToken), "/sync");
    }

    /** root (root role) and alice (read-write on /app/ only), then auth on. */
    private static void enableWithAliceOnApp(EtcdServer member) throws Exception {
        EtcdAuth auth = member.auth();
        await(auth.userAdd("root", "rootpw"));
        await(auth.userGrantRole("root", "root"));
        await(auth.roleAdd("app"));
        await(auth.roleGrantPermission("app", new Permission(Permission.Type.READWRITE, Bytes.utf8("/app/"),
                Bytes.prefixEnd(Bytes.utf8("/app/")))));
        await(auth.userAdd("alice", "alicepw"));
        await(auth.userGrantRole("alice", "app"));
        await(auth.enable());
    }

    @Test
    void aTokenFromOneMemberIsGoodOnEveryMemberAtOnce() throws Exception {
        cluster = LocalCluster.start(dir, 3, "auth-token");
        enableWithAliceOnApp(cluster.member(0).server());
        String token = await(cluster.member(0).server().auth().authenticate("alice", "alicepw"));
        for (int i = 0; i < 3; i++) {
            EtcdServer asAlice = cluster.member(i).server().withToken(token);
            await(asAlice.put(put("/app/k", "from-" + i)));
            assertArrayEquals(Bytes.utf8("from-" + i), get(asAlice, "/app/k").value());
        }
        assertEquals(EtcdError.INVALID_AUTH_TOKEN,
                refusal(cluster.member(1).server().withToken("forged.1").range(RangeRequest.of(Bytes.utf8("/app/k"), Bytes.EMPTY))));
        assertEquals(EtcdError.USER_EMPTY, refusal(cluster.member(2).server().put(put("/app/k", "anonymous"))));
    }

    @Test
    void everyMemberRefusesAndAppliesTheSameWrites() throws Exception {
        cluster = LocalCluster.start(dir, 3, "auth-apply");
        enableWithAliceOnApp(cluster.member(0).server());
        String alice = await(cluster.member(1).server().auth().authenticate("alice", "alicepw"));
        String root = await(cluster.member(2).server().auth().authenticate("root", "rootpw"));
        EtcdServer aliceOn2 = cluster.member(2).server().withToken(alice);
        assertEquals(EtcdError.PERMISSION_DENIED, refusal(aliceOn2.put(put("/etc/passwd", "x"))));
        assertEquals(EtcdError.PERMISSION_DENIED, refusal(aliceOn2.range(RangeRequest.of(Bytes.utf8("/"), Bytes.FROM_KEY))));
        long rev = await(aliceOn2.put(put("/app/ok", "1"))).revision();
        await(cluster.member(0).server().withToken(root).put(put("/etc/passwd", "root wrote this")));
        for (int i = 0; i < 3; i++) {
            EtcdServer asRoot = cluster.member(i).server().withToken(root);
            assertArrayEquals(Bytes.utf8("root wrote this"), get(asRoot, "/etc/passwd").value(), "member " + i);
            assertEquals(rev, get(asRoot, "/app/ok").modRevision(), "member " + i);
        }
        assertEquals(EtcdError.AUTH_UNMAPPED, refusal(aliceOn2.hashKv(0)), "maintenance needs the root role");
        int hash = await(cluster.member(0).server().withToken(root).hashKv(0)).hash();
        for (int i = 1; i < 3; i++) {
            assertEquals(hash, await(cluster.member(i).server().withToken(root).hashKv(0)).hash(), "member " + i);
        }
    }

    @Test
    void aRevokedRoleAndADeletedUserStopWorkingEverywhere() throws Exception {
        cluster = LocalCluster.start(dir, 3, "auth-revoke");
        enableWithAliceOnApp(cluster.member(0).server());
        String root = await(cluster.member(0).server().auth().authenticate("root", "rootpw"));
        String alice = await(cluster.member(0).server().auth().authenticate("alice", "alicepw"));
        await(cluster.member(1).server().withToken(root).auth().userRevokeRole("alice", "app"));
        for (int i = 0; i < 3; i++) {
            caughtUp(i, root); // a member that has not applied the revoke yet refuses with AUTH_OLD_REVISION instead
            EtcdServer asAlice = cluster.member(i).server().withToken(alice);
            assertEquals(EtcdError.PERMISSION_DENIED, refusal(asAlice.put(put("/app/k", "v"))), "member " + i);
        }
        await(cluster.member(1).server().withToken(root).auth().userDelete("alice"));
        for (int i = 0; i < 3; i++) {
            caughtUp(i, root);
            EtcdServer asAlice = cluster.member(i).server().withToken(alice);
            assertEquals(EtcdError.INVALID_AUTH_TOKEN, refusal(asAlice.put(put("/app/k", "v"))), "member " + i);
        }
        assertEquals(EtcdError.AUTH_FAILED, refusal(cluster.member(2).server().auth().authenticate("alice", "alicepw")));
    }

    @Test
    void aLeaseRevokeWithoutCredentialsIsRefusedWhileLeaseExpiryStillRevokes() throws Exception {
        cluster = LocalCluster.start(dir, 3, "auth-lease");
        enableWithAliceOnApp(cluster.member(0).server());
        EtcdServer root = cluster.member(0).server().withToken(await(cluster.member(0).server().auth().authenticate("root", "rootpw")));
        long lease = await(root.leaseGrant(3, 0)).id();
        await(root.put(new PutRequest(Bytes.utf8("/app/leased"), Bytes.utf8("v"), lease, false, false, false)));
        assertEquals(EtcdError.USER_EMPTY, refusal(cluster.member(1).server().leaseRevoke(lease)), "a client without a user");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (get(root, "/app/leased") != null) {
            assertTrue(System.nanoTime() < deadline, "the leader's expiry of the lease was refused");
            Thread.sleep(100);
        }
    }

    @Test
    void usersRolesAndTheEnabledFlagSurviveARestart() throws Exception {
        cluster = LocalCluster.start(dir, 3, "auth-restart");
        enableWithAliceOnApp(cluster.member(0).server());
        cluster.stopMember(2);
        cluster.startMember(2);
        EtcdServer restarted = cluster.member(2).server();
        assertEquals(EtcdError.USER_EMPTY, refusal(restarted.put(put("/app/k", "no token"))));
        String alice = await(restarted.auth().authenticate("alice", "alicepw"));
        await(restarted.withToken(alice).put(put("/app/k", "after restart")));
        assertEquals(List.of("app"), await(restarted.withToken(alice).auth().userGet("alice")));
        assertEquals(EtcdError.AUTH_FAILED, refusal(restarted.auth().authenticate("alice", "wrong")));
    }
}
