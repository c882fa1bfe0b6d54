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
 * in are not checked at all (no --peer-client-cert-auth).
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
