package org.ketcd.raft;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ketcd.api.PemFiles;

/**
 * Which member certificates a member accepts ({@link PeerTrust}), with certificates and a CRL made by openssl:
 * from the trusted CA or not, with the allowed common name or not, revoked or not, and when members dialing
 * in are not checked at all (no --peer-client-cert-auth); and a refused handshake between two members, as the
 * dialing member names it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerTrustTest {
    private Path dir;
    private List<X509Certificate> ca;
    private X509Certificate[] member;
    private X509Certificate[] otherName;
    private X509Certificate[] otherCa;
    private X509Certificate[] revoked;
    private List<X509CRL> crls;

    @BeforeAll
    void makeCertificates() throws Exception {
        dir = Files.createTempDirectory("peer-trust-");
        for (String name : List.of("ca", "other-ca")) {
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt", "-days", "2",
                    "-subj", "/CN=" + name);
        }
        sign("member", "member", "ca");
        sign("other-name", "intruder", "ca");
        sign("other-ca-member", "member", "other-ca");
        sign("revoked", "member", "ca");
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("crlnumber"), "01\n");
        Files.writeString(dir.resolve("ca.cnf"), "[ca]\ndefault_ca = ca_default\n[ca_default]\ndatabase = index.txt\n"
                + "crlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n");
        openssl("ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.crt", "-revoke", "revoked.crt");
        openssl("ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.crt", "-gencrl", "-out", "ca.crl");
        ca = PemFiles.certificates(dir.resolve("ca.crt"));
        member = chain("member");
        otherName = chain("other-name");
        otherCa = chain("other-ca-member");
        revoked = chain("revoked");
        crls = PemFiles.crls(dir.resolve("ca.crl"));
    }

    @AfterAll
    void removeCertificates() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Test
    void aMemberCertificateFromTheTrustedCaIsAcceptedBothWays() throws Exception {
        PeerTrust trust = new PeerTrust(ca, true, "", "", crls);
        assertDoesNotThrow(() -> trust.checkServerTrusted(member, "RSA"));
        assertDoesNotThrow(() -> trust.checkClientTrusted(member, "RSA"));
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedBothWays() throws Exception {
        PeerTrust trust = new PeerTrust(ca, true, "", "", List.of());
        assertThrows(CertificateException.class, () -> trust.checkServerTrusted(otherCa, "RSA"));
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(otherCa, "RSA"));
    }

    @Test
    void anotherCommonNameThanTheAllowedOneIsRefusedBothWaysWithEtcdsMessage() throws Exception {
        PeerTrust trust = new PeerTrust(ca, true, "member", "", List.of());
        assertDoesNotThrow(() -> trust.checkServerTrusted(member, "RSA"));
        assertDoesNotThrow(() -> trust.checkClientTrusted(member, "RSA"));
        assertEquals("client certificate authentication failed",
                assertThrows(CertificateException.class, () -> trust.checkServerTrusted(otherName, "RSA")).getMessage());
        assertEquals("client certificate authentication failed",
                assertThrows(CertificateException.class, () -> trust.checkClientTrusted(otherName, "RSA")).getMessage());
    }

    @Test
    void aCertificateNotNamingTheAllowedHostnameIsRefusedBothWays() throws Exception {
        PeerTrust trust = new PeerTrust(ca, true, "", "127.0.0.1", List.of());
        assertDoesNotThrow(() -> trust.checkServerTrusted(member, "RSA"));
        assertDoesNotThrow(() -> trust.checkClientTrusted(member, "RSA"));
        for (String named : List.of("member.example.com", "MEMBER.Example.com", "m-2.pods.example.com")) {
            assertDoesNotThrow(() -> new PeerTrust(ca, true, "", named, List.of()).checkServerTrusted(member, "RSA"), named);
        }
        for (String other : List.of("a.b.pods.example.com", "pods.example.com", "example.com")) {
            assertThrows(CertificateException.class, () -> new PeerTrust(ca, true, "", other, List.of()).checkServerTrusted(member, "RSA"),
                    other);
        }
        PeerTrust elsewhere = new PeerTrust(ca, true, "", "10.0.0.9", List.of());
        assertEquals("client certificate authentication failed",
                assertThrows(CertificateException.class, () -> elsewhere.checkServerTrusted(member, "RSA")).getMessage());
        assertEquals("client certificate authentication failed",
                assertThrows(CertificateException.class, () -> elsewhere.checkClientTrusted(member, "RSA")).getMessage());
    }

    @Test
    void aRevokedCertificateCannotDialIn() throws Exception {
        PeerTrust trust = new PeerTrust(ca, true, "", "", crls);
        CertificateException e = assertThrows(CertificateException.class, () -> trust.checkClientTrusted(revoked, "RSA"));
        assertEquals(true, e.getMessage().contains("is revoked"), e.getMessage());
        assertDoesNotThrow(() -> trust.checkClientTrusted(member, "RSA"));
    }

    @Test
    void withoutPeerClientCertAuthAMemberDialingInIsNotChecked() throws Exception {
        PeerTrust trust = new PeerTrust(ca, false, "", "", crls);
        assertDoesNotThrow(() -> trust.checkClientTrusted(otherCa, "RSA"));
        assertDoesNotThrow(() -> trust.checkClientTrusted(revoked, "RSA"));
        assertEquals(0, trust.getAcceptedIssuers().length);
        // the member it dials is checked all the same
        assertThrows(CertificateException.class, () -> trust.checkServerTrusted(otherCa, "RSA"));
    }

    @Test
    void aFailedHandshakeBetweenMembersIsNamedInEtcdsWords() throws Exception {
        PeerTrust onlyMember = new PeerTrust(ca, true, "member", "", List.of());
        // the dialer refuses the certificate of the member it dials
        PeerTrust onlyIntruder = new PeerTrust(ca, true, "intruder", "", List.of());
        assertEquals("this member refused the peer's certificate: client certificate authentication failed",
                PeerTlsFailure.describe(handshake("member", onlyMember, "other-name", onlyIntruder)));
        // an alert from the other member, with the JDK's words for it: Go's name of the alert
        assertEquals("remote error: tls: unknown certificate", PeerTlsFailure.describe(new org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException(
                org.apache.ratis.thirdparty.io.grpc.Status.UNAVAILABLE.withCause(new javax.net.ssl.SSLHandshakeException(
                        "Received fatal alert: certificate_unknown")))));
        assertEquals("remote error: tls: bad certificate", PeerTlsFailure.describe(
                new javax.net.ssl.SSLException("Received fatal alert: bad_certificate")));
        assertEquals(null, PeerTlsFailure.describe(new java.net.ConnectException("Connection refused")));
        assertEquals(null, handshake("member", onlyMember, "member", onlyMember), "members that trust each other connect");
    }

    @Test
    void theSameRefusalIsLoggedOnceAnInterval() {
        RejectionLog log = new RejectionLog(60_000);
        assertEquals(true, log.shouldLog("CN=intruder wrong name"));
        assertEquals(false, log.shouldLog("CN=intruder wrong name"));
        assertEquals(true, log.shouldLog("CN=other wrong name"));
        RejectionLog always = new RejectionLog(0);
        assertEquals(true, always.shouldLog("k"));
        assertEquals(true, always.shouldLog("k"));
    }

    /** A TLS connection over loopback; returns what the dialing side failed with (null: it worked). */
    private Exception handshake(String serverCert, PeerTrust serverTrust, String clientCert, PeerTrust clientTrust)
            throws Exception {
        javax.net.ssl.SSLContext server = context(serverCert, serverTrust);
        javax.net.ssl.SSLContext client = context(clientCert, clientTrust);
        try (javax.net.ssl.SSLServerSocket listener = (javax.net.ssl.SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            Thread accepting = new Thread(() -> {
                try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) listener.accept()) {
                    s.startHandshake();
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                    s.getInputStream().read(); // until the dialer closes
                } catch (IOException expected) {
                    // a refused handshake: the dialer is told with an alert
                }
            });
            accepting.start();
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client.getSocketFactory()
                    .createSocket(java.net.InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                int answer = s.getInputStream().read();
                return answer == 1 ? null : new IOException("the connection ended without an answer (" + answer + ")");
            } catch (IOException e) {
                return e;
            } finally {
                accepting.join(10_000);
            }
        }
    }

    private javax.net.ssl.SSLContext context(String cert, PeerTrust trust) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("peer", PemFiles.privateKey(dir.resolve(cert + ".key")), "p".toCharArray(), chain(cert));
        javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "p".toCharArray());
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), new javax.net.ssl.TrustManager[] {trust}, null);
        return context;
    }

    private X509Certificate[] chain(String name) throws Exception {
        return PemFiles.certificates(dir.resolve(name + ".crt")).toArray(X509Certificate[]::new);
    }

    private void sign(String name, String commonName, String ca) throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + commonName);
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=IP:127.0.0.1,DNS:member.example.com,DNS:*.pods.example.com\n"
                + "extendedKeyUsage=serverAuth,clientAuth\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl did not finish: " + cmd);
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0) {
                throw new IOException("openssl failed (" + p.exitValue() + "): " + cmd + "\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
