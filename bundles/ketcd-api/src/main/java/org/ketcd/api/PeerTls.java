package org.ketcd.api;

import java.util.List;

/**
 * The peer port's TLS settings, as etcd's flags give them: {@code --peer-cert-file} and {@code --peer-key-file}
 * (PEM; the certificate this member serves its peer port with and shows when it dials other members),
 * {@code --peer-trusted-ca-file} (PEM CAs that the other members' certificates must chain to; empty: the JDK's
 * trusted roots), {@code --peer-client-cert-auth} (a member dialing in must show a certificate from that CA),
 * {@code --peer-cert-allowed-cn} (the common name every member's certificate must have; empty: any),
 * {@code --peer-cert-allowed-hostname} (the host every member's certificate must name; empty: any),
 * {@code --peer-crl-file} (revoked member certificates) and {@code --cipher-suites} (shared with the client
 * port). Empty strings: unset. {@link #isEmpty()}: no TLS between members. {@code selfSigned}: the certificate is
 * {@code --peer-auto-tls}'s, and as in etcd members then neither verify each other's certificates nor ask for one.
 */
public record PeerTls(String certFile, String keyFile, String trustedCaFile, boolean clientCertAuth, String allowedCn,
                      String allowedHostname, String crlFile, List<String> cipherSuites, boolean selfSigned) {

    public PeerTls {
        certFile = certFile == null ? "" : certFile;
        keyFile = keyFile == null ? "" : keyFile;
        trustedCaFile = trustedCaFile == null ? "" : trustedCaFile;
        allowedCn = allowedCn == null ? "" : allowedCn;
        allowedHostname = allowedHostname == null ? "" : allowedHostname;
        crlFile = crlFile == null ? "" : crlFile;
        cipherSuites = cipherSuites == null ? List.of() : cipherSuites.stream().map(String::trim).filter(c -> !c.isEmpty()).toList();
    }

    /** No TLS between members. */
    public static final PeerTls NONE = new PeerTls("", "", "", false, "", "", "", List.of(), false);

    /** etcd's TLSInfo.Empty: neither a certificate nor a key. */
    public boolean isEmpty() {
        return certFile.isEmpty() && keyFile.isEmpty();
    }

    /** Refuses settings a member cannot serve with: a certificate without key or the other way, unreadable files. */
    public static void checkFiles(PeerTls tls) {
        if (tls.certFile.isEmpty() || tls.keyFile.isEmpty()) {
            throw new IllegalArgumentException("--peer-cert-file and --peer-key-file must be given together");
        }
        ClientTls.readable("--peer-cert-file", tls.certFile);
        ClientTls.readable("--peer-key-file", tls.keyFile);
        if (!tls.trustedCaFile.isEmpty()) {
            ClientTls.readable("--peer-trusted-ca-file", tls.trustedCaFile);
        }
        if (!tls.crlFile.isEmpty()) {
            ClientTls.readable("--peer-crl-file", tls.crlFile);
        }
    }
}
