package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.server.EtcdMember;
import org.ketcd.server.config.ServerConfig;

/** jetcd with a user and password against a member with etcd's auth enabled. */
class JetcdAuthTest {
    @TempDir
    static Path dir;
    static EtcdMember member;
    static GrpcEndpoint endpoint;
    static String clientUrl;
    static Client admin;

    @BeforeAll
    static void start() throws Exception {
        int clientPort = org.ketcd.server.TestPorts.next();
        int peerPort = org.ketcd.server.TestPorts.next();
        clientUrl = "http://127.0.0.1:" + clientPort;
        String peerUrl = "http://127.0.0.1:" + peerPort;
        ServerConfig config = ServerConfig.resolve(new String[] {"--data-dir", dir.resolve("d").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl, "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl, "--bcrypt-cost", "4"}, Map.of(), Map.of());
        member = EtcdMember.start(config);
        endpoint = GrpcEndpoint.start(member.server(), config.listenClientUrls());
        try (Client setup = Client.builder().endpoints(clientUrl).build()) {
            var auth = setup.getAuthClient();
            await(auth.userAdd(b("root"), b("rootpw")));
            await(auth.userGrantRole(b("root"), b("root")));
            await(auth.roleAdd(b("app")));
            await(auth.roleGrantPermission(b("app"), b("/app/"), b("/app0"), Permission.Type.READWRITE));
            await(auth.userAdd(b("alice"), b("alicepw")));
            await(auth.userGrantRole(b("alice"), b("app")));
            await(auth.authEnable());
        }
        admin = Client.builder().endpoints(clientUrl).user(b("root")).password(b("rootpw")).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        if (member != null) {
            member.close();
        }
    }

    private static ByteSequence b(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    /** The messages of the failure and its causes (jetcd reports a failed login as UNAUTHENTICATED caused by it). */
    private static String failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        StringBuilder why = new StringBuilder();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            why.append(t.getMessage()).append(" <- ");
        }
        return why.toString();
    }

    @Test
    void aUserWritesAndReadsInsideItsRoleAndIsRefusedOutside() throws Exception {
        try (Client alice = Client.builder().endpoints(clientUrl).user(b("alice")).password(b("alicepw")).build()) {
            await(alice.getKVClient().put(b("/app/k"), b("v")));
            assertEquals(1, await(alice.getKVClient().get(b("/app/k"))).getCount());
            assertTrue(failure(alice.getKVClient().put(b("/etc/k"), b("v"))).contains("etcdserver: permission denied"));
            assertTrue(failure(alice.getKVClient().get(b("/"), GetOption.builder().isPrefix(true).build()))
                    .contains("etcdserver: permission denied"));
            assertEquals(1, await(admin.getKVClient().get(b("/app/k"))).getCount(), "root reads everything");
        }
    }

    @Test
    void aClientWithoutCredentialsOrWithAWrongPasswordIsRefused() throws Exception {
        try (Client anonymous = Client.builder().endpoints(clientUrl).build()) {
            assertTrue(failure(anonymous.getKVClient().get(b("/app/k"))).contains("etcdserver: user name is empty"));
        }
        try (Client wrong = Client.builder().endpoints(clientUrl).user(b("alice")).password(b("nope")).build()) {
            String why = failure(wrong.getKVClient().get(b("/app/k")));
            assertTrue(why.contains("etcdserver: authentication failed, invalid user ID or password"), why);
        }
    }

    @Test
    void aWatchOnKeysTheUserMayNotReadIsCancelledWithPermissionDenied() throws Exception {
        try (Client alice = Client.builder().endpoints(clientUrl).user(b("alice")).password(b("alicepw")).build()) {
            CompletableFuture<Throwable> cancelled = new CompletableFuture<>();
            try (Watch.Watcher w = alice.getWatchClient().watch(b("/etc/"), io.etcd.jetcd.options.WatchOption.builder()
                    .isPrefix(true).build(), Watch.listener(r -> { }, cancelled::complete))) {
                Throwable why = cancelled.get(20, TimeUnit.SECONDS);
                assertTrue(String.valueOf(why.getMessage()).contains("permission denied"), String.valueOf(why));
            }
        }
    }

    @Test
    void userAndRoleManagementNeedsTheRootRole() throws Exception {
        try (Client alice = Client.builder().endpoints(clientUrl).user(b("alice")).password(b("alicepw")).build()) {
            assertTrue(failure(alice.getAuthClient().userList()).contains("etcdserver: permission denied"));
            assertEquals(java.util.List.of("app"), await(alice.getAuthClient().userGet(b("alice"))).getRoles(),
                    "a user may read itself");
        }
        assertEquals(java.util.List.of("alice", "root"), await(admin.getAuthClient().userList()).getUsers());
    }
}
