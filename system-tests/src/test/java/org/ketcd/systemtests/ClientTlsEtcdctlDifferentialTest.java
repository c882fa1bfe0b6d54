package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Both run with etcd's e2e --cipher-suites list: curl is served with a listed TLS 1.2 suite and refused with an
 * unlisted one, while TLS 1.3 (whose suites no list chooses, in Go) serves etcdctl.
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
        etcd.startAlone(memberFlags());
        try {
            ketcd = Member.prepare(Member.Kind.target(), "tls").withClientTls(pki.ctlFlags("root"));
            ketcd.startAlone(memberFlags());
        } catch (RuntimeException | Error e) {
            etcd.close();
            throw e;
        }
        ctl = new EtcdctlComparison(etcd, ketcd);
    }

    /** TLS for clients with client certificates, and the cipher suites of etcd's e2e TestV3CurlCipherSuites*. */
    private String[] memberFlags() {
        List<String> flags = new ArrayList<>(List.of(pki.memberFlags()));
        flags.add("--cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
                + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"
                + "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305");
        return flags.toArray(String[]::new);
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

    @Test
    void d_with_cipher_suites_a_listed_tls12_suite_is_served_and_an_unlisted_one_is_refused() throws Exception {
        for (Member m : List.of(etcd, ketcd)) {
            Curl asInE2e = curl(m, "ECDHE-RSA-AES128-GCM-SHA256");
            assertEquals(0, asInE2e.exit(), m + ": " + asInE2e.output());
            Curl listed = curl(m, "--tls-max", "1.2", "ECDHE-RSA-AES128-GCM-SHA256");
            assertEquals(0, listed.exit(), m + ": " + listed.output());
            assertTrue(listed.output().contains("\"health\":\"true\""), m + ": " + listed.output());
        }
        // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: offered by both TLS libraries, not in the list
        Curl etcdRefuses = curl(etcd, "--tls-max", "1.2", "ECDHE-RSA-AES256-SHA");
        Curl ketcdRefuses = curl(ketcd, "--tls-max", "1.2", "ECDHE-RSA-AES256-SHA");
        assertNotEquals(0, etcdRefuses.exit(), etcdRefuses.output());
        assertEquals(etcdRefuses.exit(), ketcdRefuses.exit(), "etcd: " + etcdRefuses.output() + "; Ketcd: " + ketcdRefuses.output());
    }

    private record Curl(int exit, String output) {
    }

    /** curl's GET /health on {@code m} with root's certificate, offering only the TLS 1.2 suite last in {@code args}. */
    private Curl curl(Member m, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", pki.file("ca.crt").toString(),
                "--cert", pki.file("root.crt").toString(), "--key", pki.file("root.key").toString()));
        command.addAll(List.of(args).subList(0, args.length - 1));
        command.addAll(List.of("--ciphers", args[args.length - 1], m.endpoint() + "/health"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Curl(p.waitFor(), output.trim());
    }
}
