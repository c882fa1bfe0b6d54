package org.ketcd.server;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * etcd's {@code --auto-tls} and {@code --peer-auto-tls} certificate ({@code transport.SelfCert}): a self-signed
 * ECDSA P-521 certificate for the hosts of the listen URLs (IP addresses and DNS names), organization "etcd",
 * valid for a year, as PEM files in a directory of the data dir (etcd's {@code fixtures/client/cert.pem} and
 * {@code key.pem}, or {@code fixtures/peer/...}). An existing pair is kept, as etcd keeps it.
 */
final class SelfSignedCertificate {
    /** etcd's validity of a self-signed certificate. */
    static final Duration VALIDITY = Duration.ofDays(365);

    private SelfSignedCertificate() {
    }

    /**
     * Makes the pair unless both files are there, for the hosts of {@code listenUrls}; {@code clientAuth} adds that
     * key usage (members dial each other with their certificate).
     */
    static void ensure(Path cert, Path key, List<URI> listenUrls, boolean clientAuth) throws IOException {
        if (Files.exists(cert) && Files.exists(key)) {
            return;
        }
        Path dir = cert.toAbsolutePath().getParent();
        PrivateDirectory.touch(dir);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp521r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("O=etcd"),
                    new BigInteger(128, new SecureRandom()), Date.from(now), Date.from(now.plus(VALIDITY)),
                    new X500Name("O=etcd"), pair.getPublic());
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.digitalSignature));
            List<KeyPurposeId> purposes = new ArrayList<>(List.of(KeyPurposeId.id_kp_serverAuth));
            if (clientAuth) {
                purposes.add(KeyPurposeId.id_kp_clientAuth);
            }
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names(listenUrls)));
            byte[] der = builder.build(new JcaContentSignerBuilder("SHA512withECDSA").build(pair.getPrivate())).getEncoded();
            Files.writeString(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(cert, pem("CERTIFICATE", der), StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a self-signed certificate in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static GeneralName[] names(List<URI> urls) {
        Set<GeneralName> names = new LinkedHashSet<>();
        for (URI url : urls) {
            String host = url.getHost().replaceAll("^\\[|\\]$", "");
            boolean ip = host.matches("[0-9.]+") || host.contains(":");
            names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host));
        }
        return names.toArray(GeneralName[]::new);
    }

    private static String pem(String type, byte[] der) {
        StringWriter out = new StringWriter();
        out.write("-----BEGIN " + type + "-----\n");
        out.write(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der));
        out.write("\n-----END " + type + "-----\n");
        return out.toString();
    }
}
