package org.ketcd.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client port's TLS settings, as etcd's flags give them: {@code --cert-file}, {@code --key-file}
 * (PEM; the key PKCS#8, PKCS#1 RSA or SEC1 EC), {@code --trusted-ca-file} (PEM CAs that client
 * certificates must chain to; as in etcd 3.4, setting it requires a client certificate),
 * {@code --client-cert-auth}, {@code --cipher-suites} (IANA names, as Go and Java both call them; empty:
 * the JDK's defaults), {@code --client-crl-file} (revoked client certificates) and
 * {@code --client-cert-allowed-hostname} (a verified client certificate must name that host). Empty strings: unset.
 * The member passes them to the gRPC endpoint as service properties ({@link #toProperties()}).
 */
public record ClientTls(String certFile, String keyFile, String trustedCaFile, boolean clientCertAuth,
                        List<String> cipherSuites, String crlFile, String allowedHostname) {
    private static final String PREFIX = "ketcd.client.tls.";

    public ClientTls {
        certFile = certFile == null ? "" : certFile;
        keyFile = keyFile == null ? "" : keyFile;
        trustedCaFile = trustedCaFile == null ? "" : trustedCaFile;
        cipherSuites = cipherSuites == null ? List.of() : cipherSuites.stream().map(String::trim).filter(c -> !c.isEmpty()).toList();
        crlFile = crlFile == null ? "" : crlFile;
        allowedHostname = allowedHostname == null ? "" : allowedHostname;
    }

    /** etcd's TLSInfo.Empty: neither a certificate nor a key. */
    public boolean isEmpty() {
        return certFile.isEmpty() && keyFile.isEmpty();
    }

    /** etcd asks for a client certificate with --client-cert-auth or a trusted CA file. */
    public boolean requiresClientCertificate() {
        return clientCertAuth || !trustedCaFile.isEmpty();
    }

    /** Refuses settings a member cannot serve with: a certificate without key or the other way, unreadable files. */
    public static void checkFiles(ClientTls tls) {
        if (tls.certFile.isEmpty() || tls.keyFile.isEmpty()) {
            throw new IllegalArgumentException("--cert-file and --key-file must be given together");
        }
        readable("--cert-file", tls.certFile);
        readable("--key-file", tls.keyFile);
        if (!tls.trustedCaFile.isEmpty()) {
            readable("--trusted-ca-file", tls.trustedCaFile);
        }
        if (!tls.crlFile.isEmpty()) {
            readable("--client-crl-file", tls.crlFile);
        }
    }

    static void readable(String flag, String file) {
        if (!Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException(flag + " " + file + ": no such file, or it cannot be read");
        }
    }

    public Map<String, Object> toProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(PREFIX + "cert-file", certFile);
        p.put(PREFIX + "key-file", keyFile);
        p.put(PREFIX + "trusted-ca-file", trustedCaFile);
        p.put(PREFIX + "client-cert-auth", String.valueOf(clientCertAuth));
        p.put(PREFIX + "cipher-suites", String.join(",", cipherSuites));
        p.put(PREFIX + "crl-file", crlFile);
        p.put(PREFIX + "allowed-hostname", allowedHostname);
        return p;
    }

    public static ClientTls fromProperties(Map<String, Object> p) {
        String suites = string(p, "cipher-suites");
        return new ClientTls(string(p, "cert-file"), string(p, "key-file"), string(p, "trusted-ca-file"),
                Boolean.parseBoolean(string(p, "client-cert-auth")),
                suites.isEmpty() ? List.of() : Arrays.asList(suites.split(",")), string(p, "crl-file"),
                string(p, "allowed-hostname"));
    }

    private static String string(Map<String, Object> p, String name) {
        Object v = p.get(PREFIX + name);
        return v == null ? "" : v.toString();
    }
}
