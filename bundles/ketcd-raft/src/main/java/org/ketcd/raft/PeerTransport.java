package org.ketcd.raft;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.netty.GrpcSslContexts;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContextBuilder;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslProvider;
import org.ketcd.api.PemFiles;
import org.ketcd.api.PeerTls;

/**
 * How this member reaches other members' peer ports and serves its own: in plain text, or over TLS with
 * its peer certificate (etcd's https peer URLs). With TLS, Ratis' Raft traffic and Ketcd's own peer calls
 * (identity probes, credentials, forwarded writes, snapshots) use the same certificate and {@link PeerTrust};
 * a member always shows its certificate when it dials, as etcd's members do (but with --peer-auto-tls, where
 * no certificate is verified). TLS 1.2 or 1.3, the JDK's
 * provider (no native library to load inside Karaf).
 */
public final class PeerTransport {
    public static final PeerTransport PLAINTEXT = new PeerTransport(null, null);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Ratis' TLS settings for the peer port and its calls to other members; null in plain text. */
    private final GrpcTlsConfig ratis;
    /** Ketcd's own calls to other members' peer ports; null in plain text. */
    private final SslContext client;

    private PeerTransport(GrpcTlsConfig ratis, SslContext client) {
        this.ratis = ratis;
        this.client = client;
    }

    /** TLS with these settings, or {@link #PLAINTEXT} when they name no certificate. */
    public static PeerTransport of(PeerTls tls) throws IOException {
        if (tls.isEmpty()) {
            return PLAINTEXT;
        }
        try {
            List<X509Certificate> chain = PemFiles.certificates(Path.of(tls.certFile()));
            PrivateKey key = PemFiles.privateKey(Path.of(tls.keyFile()));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "peer".toCharArray();
            store.setKeyEntry("peer", key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            KeyManager keyManager = keys.getKeyManagers()[0];
            PeerTrust trust = tls.selfSigned() ? PeerTrust.unverified() : new PeerTrust(
                    tls.trustedCaFile().isEmpty() ? List.of() : PemFiles.certificates(Path.of(tls.trustedCaFile())),
                    tls.clientCertAuth(), tls.allowedCn(), tls.allowedHostname(),
                    tls.crlFile().isEmpty() ? List.of() : PemFiles.crls(Path.of(tls.crlFile())));
            // with self-signed certificates nobody could verify a member's certificate: none is asked for
            GrpcTlsConfig.Builder ratis = GrpcTlsConfig.newBuilder().setKeyManager(keyManager).setTrustManager(trust)
                    .setMutualTls(!tls.selfSigned()).setSslProvider(SslProvider.JDK).setProtocols(PROTOCOLS);
            SslContextBuilder client = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                    .keyManager(tls.selfSigned() ? null : keyManager).trustManager(trust).protocols(PROTOCOLS);
            if (!tls.cipherSuites().isEmpty()) {
                List<String> suites = org.ketcd.api.TlsCipherSuites.javaNames(tls.cipherSuites());
                ratis.setCipherSuites(suites);
                client.ciphers(suites);
            }
            return new PeerTransport(ratis.build(), client.build());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot set up TLS for the peer URLs (--peer-cert-file " + tls.certFile() + ", --peer-key-file "
                    + tls.keyFile() + "): " + e.getMessage(), e);
        }
    }

    public boolean tls() {
        return client != null;
    }

    GrpcTlsConfig ratisTls() {
        return ratis;
    }

    /** A new channel to the peer port at {@code hostPort}. */
    ManagedChannel dial(String hostPort) {
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(hostPort);
        return (client == null ? builder.usePlaintext() : builder.sslContext(client)).build();
    }

    /** Asks the member at {@code hostPort} who it is ({@link PeerService#probe}); null when it does not answer. */
    public PeerService.Answer probe(String hostPort) {
        return PeerService.probe(this, hostPort);
    }

    /** As {@link #probe}, but throws {@link PeerService.TlsRefused} when the TLS handshake with it failed. */
    public PeerService.Answer probeReportingTls(String hostPort) {
        return PeerService.probeReportingTls(this, hostPort);
    }
}
