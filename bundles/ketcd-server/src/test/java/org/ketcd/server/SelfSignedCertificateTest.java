package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.PemFiles;

class SelfSignedCertificateTest {
    @TempDir
    Path dir;

    @Test
    void namesTheListenHostsIsSelfSignedForAYearAndItsKeyMatches() throws Exception {
        Path cert = dir.resolve("fixtures/peer/cert.pem");
        Path key = dir.resolve("fixtures/peer/key.pem");
        SelfSignedCertificate.ensure(cert, key, List.of(URI.create("https://127.0.0.1:2380"), URI.create("https://localhost:2380")), true);
        X509Certificate c = PemFiles.certificates(cert).get(0);
        c.verify(c.getPublicKey());
        assertEquals("O=etcd", c.getSubjectX500Principal().getName());
        assertEquals(List.of(List.of(7, "127.0.0.1"), List.of(2, "localhost")), c.getSubjectAlternativeNames().stream().toList());
        assertTrue(c.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
        assertEquals(Duration.ofDays(365).toMillis(), c.getNotAfter().getTime() - c.getNotBefore().getTime());
        Signature sign = Signature.getInstance("SHA512withECDSA");
        sign.initSign(PemFiles.privateKey(key));
        sign.update(new byte[] {1, 2, 3});
        byte[] signature = sign.sign();
        Signature check = Signature.getInstance("SHA512withECDSA");
        check.initVerify(c.getPublicKey());
        check.update(new byte[] {1, 2, 3});
        assertTrue(check.verify(signature));
    }

    @Test
    void anExistingPairIsKept() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        SelfSignedCertificate.ensure(cert, key, List.of(URI.create("https://127.0.0.1:2379")), false);
        String first = Files.readString(cert);
        SelfSignedCertificate.ensure(cert, key, List.of(URI.create("https://127.0.0.1:2379")), false);
        assertEquals(first, Files.readString(cert));
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), PemFiles.certificates(cert).get(0).getExtendedKeyUsage());
    }
}
