package org.ketcd.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys in the three PEM forms etcd reads; the PKCS#1 and SEC1 forms are cut out of the JDK's PKCS#8. */
class PemFilesTest {

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The key inside PKCS#8 (its last element, an OCTET STRING): PKCS#1 for RSA, SEC1 for EC. */
    private static byte[] innerKey(byte[] pkcs8) {
        int i = pkcs8.length;
        // walk the top-level elements: INTEGER version, SEQUENCE algorithm, OCTET STRING key
        int pos = 2 + ((pkcs8[1] & 0x80) != 0 ? pkcs8[1] & 0x7f : 0);
        for (int element = 0; element < 3; element++) {
            int tag = pkcs8[pos];
            int len = pkcs8[pos + 1] & 0xff;
            int header = 2;
            if (len > 0x80) {
                int bytes = len - 0x80;
                len = 0;
                for (int b = 0; b < bytes; b++) {
                    len = len << 8 | pkcs8[pos + 2 + b] & 0xff;
                }
                header += bytes;
            }
            if (element == 2 && tag == 0x04) {
                return Arrays.copyOfRange(pkcs8, pos + header, pos + header + len);
            }
            pos += header + len;
        }
        throw new AssertionError("no key in " + i + " bytes");
    }

    /**
     * SEC1 as openssl writes it, with the curve (prime256v1) in [0] after the private key: the JDK's PKCS#8
     * leaves it out there, as the curve is in the algorithm identifier.
     */
    private static byte[] withCurve(byte[] sec1) {
        byte[] curve = {(byte) 0xa0, 0x0a, 0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};
        int contentStart = 2; // SEQUENCE with a one-byte length: the key is small
        int afterVersion = contentStart + 3; // INTEGER 1
        int afterKey = afterVersion + 2 + (sec1[afterVersion + 1] & 0xff);
        byte[] out = new byte[sec1.length + curve.length];
        System.arraycopy(sec1, 0, out, 0, afterKey);
        System.arraycopy(curve, 0, out, afterKey, curve.length);
        System.arraycopy(sec1, afterKey, out, afterKey + curve.length, sec1.length - afterKey);
        out[1] = (byte) ((sec1[1] & 0xff) + curve.length);
        return out;
    }

    @Test
    void anRsaKeyReadsTheSameInPkcs8AndPkcs1Form() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        assertArrayEquals(pkcs8, PemFiles.privateKey(pem("PRIVATE KEY", pkcs8), "t").getEncoded());
        assertArrayEquals(pkcs8, PemFiles.privateKey(pem("RSA PRIVATE KEY", innerKey(pkcs8)), "t").getEncoded());
        assertEquals(pair.getPublic(), PemFiles.publicKey(pem("PUBLIC KEY", pair.getPublic().getEncoded()), "t"));
    }

    @Test
    void anEcKeyReadsTheSameInPkcs8AndSec1Form() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        String sec1 = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + pem("EC PRIVATE KEY", withCurve(innerKey(pkcs8)));
        var read = (java.security.interfaces.ECPrivateKey) PemFiles.privateKey(sec1, "t");
        var made = (java.security.interfaces.ECPrivateKey) pair.getPrivate();
        assertEquals(made.getS(), read.getS());
        assertEquals(made.getParams().getCurve(), read.getParams().getCurve());
        assertEquals(pair.getPublic(), PemFiles.publicKey(pem("PUBLIC KEY", pair.getPublic().getEncoded()), "t"));
    }

    @Test
    void anEncryptedOrMissingKeyIsRefusedWithItsSource() {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> PemFiles.privateKey(pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2}), "/etc/k.pem"));
        assertEquals("/etc/k.pem: a ENCRYPTED PRIVATE KEY is not supported (encrypted keys are not)", e.getMessage());
        assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey("nothing", "/etc/k.pem"));
    }

    /** etcd's JWT tests name a certificate (server.crt) as --auth-token's pub-key: its key is the public key. */
    @Test
    void aCertificateGivesItsPublicKey(@TempDir Path dir) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=jwt",
                "-days", "1", "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertEquals(0, openssl.waitFor(), () -> readQuietly(dir.resolve("openssl.log")));
        X509Certificate cert = PemFiles.certificates(dir.resolve("cert.pem")).get(0);
        assertEquals(cert.getPublicKey(), PemFiles.publicKey(Files.readString(dir.resolve("cert.pem")), "cert.pem"));
        GeneralSecurityException none = assertThrows(GeneralSecurityException.class, () -> PemFiles.publicKey("nothing", "x.pem"));
        assertEquals("x.pem holds no PEM PUBLIC KEY or CERTIFICATE", none.getMessage());
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
