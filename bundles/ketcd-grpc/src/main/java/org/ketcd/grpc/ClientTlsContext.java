package org.ketcd.grpc;

import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolNames;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import org.ketcd.api.ClientTls;

/**
 * The TLS side of an https client URL, from etcd's flags: the member's certificate and key; TLS 1.2 or 1.3
 * (etcd's minimum is 1.2); ALPN offering h2 (gRPC) and http/1.1 (the JSON gateway, configuration API and
 * SSE on the same port); a client certificate required with {@code --client-cert-auth} or a trusted CA
 * file (as etcd 3.4), verified against that CA file (else the JDK's trusted roots), the CRL file and the allowed
 * host name.
 */
record ClientTlsContext(SslContext ssl, List<X509CRL> crls, boolean commonNameAsUser, String allowedHostname) {

    static ClientTlsContext of(ClientTls tls) throws IOException {
        try {
            List<X509Certificate> chain = org.ketcd.api.PemFiles.certificates(Path.of(tls.certFile()));
            SslContextBuilder b = SslContextBuilder.forServer(org.ketcd.api.PemFiles.privateKey(Path.of(tls.keyFile())),
                            chain.toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            // the server's preference: gRPC clients offer h2 alone; a client that also speaks
                            // http/1.1 (curl, browsers) gets it, which the JSON gateway and SSE are served on
                            ApplicationProtocolNames.HTTP_1_1, ApplicationProtocolNames.HTTP_2));
            if (!tls.trustedCaFile().isEmpty()) {
                b.trustManager(org.ketcd.api.PemFiles.certificates(Path.of(tls.trustedCaFile())).toArray(X509Certificate[]::new));
            }
            if (tls.requiresClientCertificate()) {
                b.clientAuth(ClientAuth.REQUIRE);
            }
            if (!tls.cipherSuites().isEmpty()) {
                b.ciphers(org.ketcd.api.TlsCipherSuites.javaNames(tls.cipherSuites()));
            }
            List<X509CRL> crls = tls.crlFile().isEmpty() ? List.of() : org.ketcd.api.PemFiles.crls(Path.of(tls.crlFile()));
            return new ClientTlsContext(b.build(), crls, tls.clientCertAuth(), tls.allowedHostname());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot set up TLS for the client URLs (--cert-file " + tls.certFile() + ", --key-file "
                    + tls.keyFile() + "): " + e.getMessage(), e);
        }
    }

    /**
     * Whether a client with this verified certificate chain may stay: not revoked (etcd's checkCRL) and, with
     * --client-cert-allowed-hostname, naming that host.
     */
    boolean accepts(java.security.cert.Certificate[] peer) {
        return !revoked(peer) && (allowedHostname.isEmpty() || peer.length > 0
                && peer[0] instanceof X509Certificate leaf && org.ketcd.api.CertificateHost.verifies(leaf, allowedHostname));
    }

    /** etcd's checkCRL: a connection whose client presents a revoked certificate is closed. */
    private boolean revoked(java.security.cert.Certificate[] peer) {
        for (java.security.cert.Certificate c : peer) {
            for (X509CRL crl : crls) {
                if (crl.isRevoked(c)) {
                    return true;
                }
            }
        }
        return false;
    }
}
