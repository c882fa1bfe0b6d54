package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.EtcdctlComparison;
import org.ketcd.systemtests.harness.Member;

/**
 * etcd's --auto-tls and --peer-auto-tls: two members with https client and peer URLs and no certificate
 * given, beside two real etcd 3.4 members with the same flags. Each makes its own self-signed certificates in
 * its data dir (fixtures/client, fixtures/peer), the members form one cluster over TLS, and etcdctl with
 * --insecure-skip-tls-verify (and --insecure-transport=false, else etcdctl 3.4 speaks plain text) reads on every member what was written on one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AutoTlsClusterTest {
    private static final int SIZE = 2;
    private final List<Member> etcd = new ArrayList<>();
    private final List<Member> ketcd = new ArrayList<>();
    private final List<String> differences = new ArrayList<>();

    @BeforeAll
    void startBoth() {
        try {
            start(etcd, Member.Kind.ETCD);
            start(ketcd, Member.Kind.target());
            etcd.forEach(Member::awaitHealthy);
            ketcd.forEach(Member::awaitHealthy);
        } catch (RuntimeException | Error e) {
            stopAll();
            throw e;
        }
    }

    private static void start(List<Member> cluster, Member.Kind kind) {
        for (int i = 1; i <= SIZE; i++) {
            cluster.add(Member.prepare(kind, "autotls-" + i).withClientTls("--insecure-transport=false", "--insecure-skip-tls-verify").withPeerTls());
        }
        Member.launchCluster(cluster, m -> new String[] {"--auto-tls", "--peer-auto-tls"});
    }

    @AfterAll
    void stopAll() {
        etcd.forEach(Member::close);
        ketcd.forEach(Member::close);
    }

    @Test
    void selfSignedMembersFormOneClusterOverTlsAndServeEtcdctl() throws Exception {
        new EtcdctlComparison(etcd.get(0), ketcd.get(0), differences).same("put", "/auto-tls/a", "1");
        for (int i = 0; i < SIZE; i++) {
            new EtcdctlComparison(etcd.get(i), ketcd.get(i), differences).same("get", "/auto-tls/a");
        }
        // a client that verifies the server's certificate against its trusted roots refuses it
        CommandResult withoutSkip = ketcd.get(1).ctlWithoutTls("--insecure-transport=false", "--command-timeout=3s", "get", "/auto-tls/a");
        CommandResult etcdWithoutSkip = etcd.get(1).ctlWithoutTls("--insecure-transport=false", "--command-timeout=3s", "get", "/auto-tls/a");
        new EtcdctlComparison(etcd.get(1), ketcd.get(1), differences).compare(new String[] {"get (verifying the server)"},
                etcdWithoutSkip, withoutSkip);
        if (!differences.isEmpty()) {
            new EtcdctlComparison(etcd.get(0), ketcd.get(0), differences).reportDifferences();
        }
        for (Member m : ketcd) {
            for (String use : List.of("client", "peer")) {
                Path cert = m.dataDir().resolve("fixtures").resolve(use).resolve("cert.pem");
                assertTrue(Files.exists(m.dataDir().resolve("fixtures").resolve(use).resolve("key.pem")), m + " " + use + " key");
                X509Certificate c = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(Files.newInputStream(cert));
                assertEquals("O=etcd", c.getSubjectX500Principal().getName(), m + " " + use);
                assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal(), "self-signed");
            }
        }
    }
}
