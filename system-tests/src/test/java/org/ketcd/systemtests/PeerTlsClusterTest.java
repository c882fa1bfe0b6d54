package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.EtcdctlComparison;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.TestPki;

/**
 * Three members speaking TLS to each other (etcd's https peer URLs with --peer-cert-file, --peer-key-file,
 * --peer-trusted-ca-file, --peer-client-cert-auth) and to their clients, side by side with three real etcd 3.4
 * members started with the same flags and certificates: etcdctl over https sees the same cluster and the same
 * replicated data on every member. Then Ketcd alone: a member whose peer certificate comes from another CA
 * gets nothing from the others, and a plain, garbage or certificate-less connection to a peer port is refused
 * while the cluster stays healthy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class PeerTlsClusterTest {
    private static final int SIZE = 3;
    private TestPki pki;
    private final List<Member> etcd = new ArrayList<>();
    private final List<Member> ketcd = new ArrayList<>();
    private final List<String> differences = new ArrayList<>();

    @BeforeAll
    void startBoth() throws Exception {
        Path base = Paths.get(System.getProperty("system-tests.workdir", "target/system-tests-work")).toAbsolutePath();
        Files.createDirectories(base);
        pki = TestPki.create(Files.createTempDirectory(base, "pki-"));
        try {
            start(etcd, Member.Kind.ETCD, "ptls", m -> "server");
            start(ketcd, Member.Kind.target(), "ptls", m -> "server");
        } catch (RuntimeException | Error e) {
            stopAll();
            throw e;
        }
    }

    private void start(List<Member> cluster, Member.Kind kind, String label, java.util.function.Function<Integer, String> peerCert) {
        for (int i = 1; i <= SIZE; i++) {
            cluster.add(Member.prepare(kind, label + "-" + i).withClientTls(pki.ctlFlags("root")).withPeerTls());
        }
        Member.launchCluster(cluster, m -> flags(pki.peerFlags(peerCert.apply(cluster.indexOf(m)))));
    }

    private String[] flags(String[] peerFlags) {
        List<String> all = new ArrayList<>(List.of(pki.memberFlags()));
        all.addAll(List.of(peerFlags));
        return all.toArray(String[]::new);
    }

    @AfterAll
    void stopAll() {
        etcd.forEach(Member::close);
        ketcd.forEach(Member::close);
    }

    @AfterEach
    void reportDifferences() {
        if (!differences.isEmpty()) {
            new EtcdctlComparison(etcd.get(0), ketcd.get(0), differences).reportDifferences();
        }
    }

    private EtcdctlComparison on(int member) {
        return new EtcdctlComparison(etcd.get(member), ketcd.get(member), differences);
    }

    @Test
    void a_members_with_peer_tls_form_one_cluster_and_replicate_over_it() {
        etcd.forEach(Member::awaitHealthy);
        ketcd.forEach(Member::awaitHealthy);
        on(0).same("put", "/peer-tls/a", "written on the first member");
        for (int i = 1; i < SIZE; i++) {
            on(i).same("get", "/peer-tls/a");
            on(i).same("put", "/peer-tls/" + i, "written on member " + (i + 1));
        }
        on(0).same("get", "/peer-tls/", "--prefix", "--keys-only");
        // member list names each member's own ports: check the same shape on both instead of comparing text
        for (List<Member> cluster : List.of(etcd, ketcd)) {
            CommandResult list = cluster.get(2).ctl("member", "list");
            assertTrue(list.ok(), list.toString());
            for (Member m : cluster) {
                assertTrue(list.stdout().lines().anyMatch(l -> l.contains(", started, " + m.name() + ", " + m.peerUrl() + ", ")),
                        m + " listed as started with its https peer URL: " + list);
            }
        }
    }

    @Test
    void b_a_member_with_a_peer_certificate_from_another_ca_gets_nothing_from_the_others() throws Exception {
        List<Member> cluster = new ArrayList<>();
        try {
            start(cluster, Member.Kind.target(), "ptls-rogue", i -> i == SIZE - 1 ? "rogue-server" : "server");
            cluster.get(0).awaitHealthy();
            cluster.get(1).awaitHealthy();
            Member rogue = cluster.get(SIZE - 1);
            CommandResult put = cluster.get(0).ctl("put", "/rogue/a", "not for the rogue member");
            assertTrue(put.ok(), put.toString());
            CommandResult onSecond = cluster.get(1).ctl("get", "/rogue/a", "--print-value-only");
            assertEquals("not for the rogue member", onSecond.stdout().trim(), onSecond.toString());
            // The rogue member may serve its own (empty) store once it gives up waiting for a leader; it never
            // gets the write, nor a leader to read through.
            CommandResult linearizable = rogue.ctlWithin(Duration.ofSeconds(10), "--command-timeout=3s", "get", "/rogue/a");
            assertTrue(!linearizable.ok() || linearizable.stdout().isBlank(), linearizable.toString());
            CommandResult serializable = rogue.ctlWithin(Duration.ofSeconds(10), "--command-timeout=3s", "get", "/rogue/a",
                    "--consistency=s");
            assertTrue(!serializable.stdout().contains("not for the rogue member"), serializable.toString());
            // the members it should follow refuse its certificate when they dial it, and say so
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!refusedRogue(cluster) && System.nanoTime() < deadline) {
                Member.sleep(200);
            }
            assertTrue(refusedRogue(cluster), "a member logs the refused certificate:\n" + cluster.get(0).logTail(40));
        } finally {
            cluster.forEach(Member::close);
        }
    }

    private static boolean refusedRogue(List<Member> cluster) {
        return cluster.subList(0, 2).stream().anyMatch(m -> m.logTail(2000).contains("PKIX path building failed"));
    }

    @Test
    void c_plain_garbage_and_certificate_less_connections_to_a_peer_port_are_refused() throws Exception {
        Member member = ketcd.get(0);
        // HTTP/2 in plain text, as a member without TLS would dial
        assertTrue(closedAfter(member.peerPort(), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        // a whole TLS handshake record with garbage in it
        assertTrue(closedAfter(member.peerPort(), new byte[] {0x16, 0x03, 0x01, 0x00, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        // TLS with a server the client trusts, but no client certificate: --peer-client-cert-auth refuses it
        assertThrows(SSLException.class, () -> tlsHandshake(member.peerPort()));
        for (Member m : ketcd) {
            CommandResult health = m.ctl("endpoint", "health");
            assertTrue(health.ok() && (health.stdout() + health.stderr()).contains("is healthy"), m + ": " + health);
        }
        CommandResult get = ketcd.get(2).ctl("get", "/peer-tls/a", "--print-value-only");
        assertEquals("written on the first member", get.stdout().trim(), get.toString());
    }

    /**
     * Sends {@code bytes} to the port and answers whether the member closed the connection (within 30 s; a
     * member that waits for the rest of a TLS record gives up after its 10 s handshake timeout).
     */
    private static boolean closedAfter(int port, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                while (in.read(buf) >= 0) {
                    // a TLS alert may come first; the member then closes
                }
                return true;
            } catch (java.net.SocketException e) {
                return true; // reset by the member
            }
        }
    }

    private void tlsHandshake(int port) throws Exception {
        KeyStore cas = KeyStore.getInstance(KeyStore.getDefaultType());
        cas.load(null, null);
        try (InputStream in = Files.newInputStream(pki.file("ca.crt"))) {
            cas.setCertificateEntry("ca", (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(cas);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            // TLS 1.3 reports a refused client certificate on the first read; or the member has closed the
            // connection already, and the write meets a reset or a broken pipe before the alert is read
            try {
                s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                if (s.getInputStream().read() < 0) {
                    throw new SSLException("closed without an alert");
                }
            } catch (java.net.SocketException closedByTheMember) {
                throw new SSLException("refused: the member closed the connection (" + closedByTheMember.getMessage() + ")");
            }
        }
    }
}
