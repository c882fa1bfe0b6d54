package org.ketcd.raft;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which members' certificates this member accepts, as etcd's peer TLS: a member it dials must show a
 * certificate that chains to {@code --peer-trusted-ca-file} (else the JDK's trusted roots) and names the
 * address dialed; a member dialing in is checked the same way (but for the address) only with
 * {@code --peer-client-cert-auth}, and then must not be in {@code --peer-crl-file}. With
 * {@code --peer-cert-allowed-cn}, both must also have that common name, and with {@code --peer-cert-allowed-hostname}
 * name that host (etcd checks both both ways).
 * {@link #unverified()}: {@code --peer-auto-tls}, whose self-signed certificates etcd's members do not verify.
 */
final class PeerTrust extends X509ExtendedTrustManager {
    /** etcd's message when a verified certificate has another common name or host than the allowed one. */
    static final String WRONG_COMMON_NAME = "client certificate authentication failed";
    /** The same refusal (certificate subject and reason) is logged at most this often. */
    static final long REJECTION_LOG_INTERVAL_MS = 60_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerTrust.class);

    /** Null: no certificate is verified. */
    private final X509ExtendedTrustManager pkix;
    private final boolean clientCertAuth;
    private final String allowedCn;
    private final String allowedHostname;
    private final List<X509CRL> crls;
    private final RejectionLog rejections = new RejectionLog(REJECTION_LOG_INTERVAL_MS);

    PeerTrust(List<X509Certificate> trustedCas, boolean clientCertAuth, String allowedCn, String allowedHostname, List<X509CRL> crls)
            throws GeneralSecurityException, java.io.IOException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        if (trustedCas.isEmpty()) {
            factory.init((KeyStore) null);
        } else {
            KeyStore cas = KeyStore.getInstance(KeyStore.getDefaultType());
            cas.load(null, null);
            for (int i = 0; i < trustedCas.size(); i++) {
                cas.setCertificateEntry("ca-" + i, trustedCas.get(i));
            }
            factory.init(cas);
        }
        X509ExtendedTrustManager found = null;
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                found = x;
            }
        }
        if (found == null) {
            throw new GeneralSecurityException("the JDK offers no PKIX trust manager");
        }
        this.pkix = found;
        this.clientCertAuth = clientCertAuth;
        this.allowedCn = allowedCn;
        this.allowedHostname = allowedHostname;
        this.crls = List.copyOf(crls);
    }

    private PeerTrust() {
        this.pkix = null;
        this.clientCertAuth = false;
        this.allowedCn = "";
        this.allowedHostname = "";
        this.crls = List.of();
    }

    /** Encryption without authentication, as etcd's members with --peer-auto-tls (InsecureSkipVerify). */
    static PeerTrust unverified() {
        return new PeerTrust();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (clientCertAuth) {
            rejecting(chain, () -> pkix.checkClientTrusted(chain, authType, engine));
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        if (clientCertAuth) {
            rejecting(chain, () -> pkix.checkClientTrusted(chain, authType, socket));
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (clientCertAuth) {
            rejecting(chain, () -> pkix.checkClientTrusted(chain, authType));
        }
    }

    private interface Check {
        void run() throws CertificateException;
    }

    /**
     * Checks a member dialing in ({@code pkix}, then {@link #checkMember}); a refusal is logged as etcd logs it
     * ("rejected connection ..."), at most once a minute per certificate subject and reason: a refused member
     * keeps dialing, and the member it dials is the only one that knows why (the JDK tells the dialer no more
     * than certificate_unknown, often not even that).
     */
    private void rejecting(X509Certificate[] chain, Check pkixCheck) throws CertificateException {
        try {
            pkixCheck.run();
            checkMember(chain);
        } catch (CertificateException e) {
            String subject = chain.length == 0 ? "no certificate" : chain[0].getSubjectX500Principal().getName();
            if (rejections.shouldLog(subject + " " + e.getMessage())) {
                LOG.warn("rejected connection from a member with certificate {} (error \"{}\")", subject, e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (pkix != null) {
            pkix.checkServerTrusted(chain, authType, engine);
            checkCommonName(chain);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        if (pkix != null) {
            pkix.checkServerTrusted(chain, authType, socket);
            checkCommonName(chain);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (pkix != null) {
            pkix.checkServerTrusted(chain, authType);
            checkCommonName(chain);
        }
    }

    /** The CAs a member dialing in may present a certificate from; none named (any) when it is not checked. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return clientCertAuth && pkix != null ? pkix.getAcceptedIssuers() : new X509Certificate[0];
    }

    private void checkMember(X509Certificate[] chain) throws CertificateException {
        for (X509Certificate c : chain) {
            for (X509CRL crl : crls) {
                if (crl.isRevoked(c)) {
                    throw new CertificateException("certificate " + c.getSubjectX500Principal().getName() + " is revoked by "
                            + crl.getIssuerX500Principal().getName());
                }
            }
        }
        checkCommonName(chain);
    }

    private void checkCommonName(X509Certificate[] chain) throws CertificateException {
        if (!allowedCn.isEmpty() && !allowedCn.equals(org.ketcd.api.PemFiles.commonName(chain[0]))
                || !allowedHostname.isEmpty() && !org.ketcd.api.CertificateHost.verifies(chain[0], allowedHostname)) {
            throw new CertificateException(WRONG_COMMON_NAME);
        }
    }
}
