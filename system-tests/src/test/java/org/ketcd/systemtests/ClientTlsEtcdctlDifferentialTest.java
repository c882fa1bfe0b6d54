package org.ketcd.systemtests;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.EtcdctlComparison;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.TestPki;

/**
 * An https client URL with client certificates required (etcd's --cert-file, --key-file, --trusted-ca-file,
 * --client-cert-auth), side by side with a real etcd 3.4 started with the same flags and certificates:
 * etcdctl with a certificate from the trusted CA works the same; without one, with one from another CA, with an
 * expired one, or in plain text it fails the same; with auth enabled, the certificate's common name is the user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClientTlsEtcdctlDifferentialTest {
    private TestPki pki;
    private Member etcd;
    private Member ketcd;
    private EtcdctlComparison ctl;

    @BeforeAll
    void startBoth() throws Exception {
        Path base = Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work")).toAbsolutePath();
        java.nio.file.Files.createDirectories(base);
        pki = TestPki.create(java.nio.file.Files.createTempDirectory(base, "pki-"));
        etcd = Member.prepare(Member.Kind.ETCD, "tls").withClientTls(pki.ctlFlags("root"));
        etcd.startAlone(pki.memberFlags());
        try {
            ketcd = Member.prepare(Member.Kind.target(), "tls").withClientTls(pki.ctlFlags("root"));
            ketcd.startAlone(pki.memberFlags());
        } catch (RuntimeException | Error e) {
            etcd.close();
            throw e;
        }
        ctl = new EtcdctlComparison(etcd, ketcd);
    }

    @AfterAll
    void stopBoth() {
        if (ctl != null) {
            ctl.close();
        }
    }

    @AfterEach
    void reportDifferences() {
        ctl.reportDifferences();
    }

    /** etcdctl arguments for a client with {@code user}'s certificate instead of root's. */
    private String[] as(String user, String... args) {
        List<String> all = new ArrayList<>(List.of("--cert=" + pki.file(user + ".crt"), "--key=" + pki.file(user + ".key")));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    @Test
    void a_a_client_with_a_certificate_from_the_trusted_ca_reads_and_writes() {
        ctl.same("put", "/tls/a", "1");
        ctl.same("get", "/tls/a", "-w", "json");
        ctl.sameStdin("value(\"/tls/a\") = \"1\"\n\nput /tls/a 2\n\n", "txn");
        ctl.same(as("alice", "get", "/tls/", "--prefix"));
        ctl.same("endpoint", "health");
    }

    @Test
    void b_a_client_without_a_trusted_certificate_or_in_plain_text_is_refused() {
        // each refused connection is retried until the command's deadline: keep it short
        ctl.sameWithoutTls(m -> new String[] {"--cacert=" + pki.file("ca.crt"), "--command-timeout=3s", "get", "/tls/a"});
        ctl.same(as("mallory", "--command-timeout=3s", "get", "/tls/a"));
        ctl.same(as("expired", "--command-timeout=3s", "get", "/tls/a"));
        ctl.sameWithoutTls(m -> new String[] {"--endpoints=" + m.endpoint().replace("https://", "http://"),
            "--command-timeout=3s", "get", "/tls/a"});
        ctl.same("--cacert=" + pki.file("other-ca.crt"), "--command-timeout=3s", "get", "/tls/a");
    }

    @Test
    void c_with_auth_enabled_the_certificates_common_name_is_the_user() {
        ctl.same("user", "add", "root:rootpw");
        ctl.same("user", "grant-role", "root", "root");
        ctl.same("role", "add", "tls");
        ctl.same("role", "grant-permission", "tls", "read", "/tls/", "--prefix");
        ctl.same("user", "add", "alice:alicepw");
        ctl.same("user", "grant-role", "alice", "tls");
        ctl.same("auth", "enable");
        ctl.same("put", "/tls/b", "written as root by its certificate");
        ctl.same(as("alice", "get", "/tls/", "--prefix"));
        ctl.same(as("alice", "put", "/tls/c", "alice may only read"));
        ctl.same(as("alice", "--user=root:rootpw", "put", "/tls/c", "a token wins over the certificate"));
        ctl.same(as("alice", "user", "list"));
        ctl.same("user", "list");
        ctl.same("auth", "disable");
    }
}
