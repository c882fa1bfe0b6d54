package org.ketcd.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates, keys and CRLs from PEM files, as etcd reads them. A private key may be PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}, as openssl's traditional form and cfssl write RSA
 * keys) or SEC1 ({@code EC PRIVATE KEY}); the last two are rewrapped as PKCS#8 for the JDK. Encrypted keys
 * are refused, as etcd refuses them. A public key is X.509 SubjectPublicKeyInfo ({@code PUBLIC KEY}) or a
 * certificate's.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** DER of the OIDs rsaEncryption (1.2.840.113549.1.1.1) and id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] DER_NULL = {0x05, 0x00};

    private PemFiles() {
    }

    public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> certs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException(file + " holds no certificate");
        }
        return certs;
    }

    public static List<X509CRL> crls(Path file) throws IOException, GeneralSecurityException {
        List<X509CRL> crls = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (var c : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                crls.add((X509CRL) c);
            }
        }
        return crls;
    }

    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        return privateKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /** The first private key in PEM text; {@code source} names it in errors. */
    public static PrivateKey privateKey(String pem, String source) throws GeneralSecurityException {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue; // e.g. EC PARAMETERS before an EC key
            }
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            return switch (type) {
                case "PRIVATE KEY" -> pkcs8(der);
                case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                        pkcs8Wrapping(sequence(RSA_ENCRYPTION, DER_NULL), der)));
                case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                        pkcs8Wrapping(sequence(EC_PUBLIC_KEY, sec1CurveOid(der)), der)));
                default -> throw new GeneralSecurityException(source + ": a " + type + " is not supported (encrypted keys are not)");
            };
        }
        throw new GeneralSecurityException(source + " holds no PEM private key");
    }

    /**
     * The first {@code PUBLIC KEY} (RSA or EC) in PEM text, or the key of its first {@code CERTIFICATE}, as
     * etcd's JWT library takes either.
     */
    public static PublicKey publicKey(String pem, String source) throws GeneralSecurityException {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            if (m.group(1).equals("CERTIFICATE")) {
                return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
            }
            if (m.group(1).equals("PUBLIC KEY")) {
                try {
                    return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
                } catch (GeneralSecurityException notRsa) {
                    return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
                }
            }
        }
        throw new GeneralSecurityException(source + " holds no PEM PUBLIC KEY or CERTIFICATE");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // the key's algorithm is named inside; try the next kind
            }
        }
        throw new GeneralSecurityException("not an RSA, EC or Ed25519 PKCS#8 key");
    }

    /** PKCS#8's PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }. */
    private static byte[] pkcs8Wrapping(byte[] algorithm, byte[] key) {
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    /** The curve's OID (tag and all) in SEC1's ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, ... }. */
    static byte[] sec1CurveOid(byte[] der) throws GeneralSecurityException {
        int[] pos = {0};
        enter(der, pos, 0x30);
        skip(der, pos, 0x02);
        skip(der, pos, 0x04);
        int end = enter(der, pos, 0xa0);
        if (pos[0] >= end || der[pos[0]] != 0x06) {
            throw new GeneralSecurityException("an EC PRIVATE KEY without its curve");
        }
        int start = pos[0];
        skip(der, pos, 0x06);
        return Arrays.copyOfRange(der, start, pos[0]);
    }

    /** Reads a tag and length at pos; leaves pos at the contents; returns where they end. */
    private static int enter(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
        if (pos[0] >= der.length || (der[pos[0]] & 0xff) != tag) {
            throw new GeneralSecurityException("malformed key: expected tag " + Integer.toHexString(tag));
        }
        pos[0]++;
        int len = der[pos[0]++] & 0xff;
        if (len > 0x80) {
            int bytes = len - 0x80;
            if (bytes > 3) {
                throw new GeneralSecurityException("malformed key: length of " + bytes + " bytes");
            }
            len = 0;
            for (int i = 0; i < bytes; i++) {
                len = len << 8 | der[pos[0]++] & 0xff;
            }
        }
        if (pos[0] + len > der.length) {
            throw new GeneralSecurityException("malformed key: truncated");
        }
        return pos[0] + len;
    }

    private static void skip(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
        pos[0] = enter(der, pos, tag);
    }

    private static byte[] tlv(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = contents.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The common name in a certificate's subject (the first, as Go's Subject.CommonName), or null when it has none. */
    public static String commonName(X509Certificate certificate) {
        try {
            for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            return null;
        }
        return null;
    }
}
