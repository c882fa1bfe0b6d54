package org.ketcd.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import org.ketcd.api.EtcdServer;

/**
 * Takes the caller's auth token from a call's metadata, where etcd's clients put it: {@code token}, or
 * {@code authorization} as etcd's JSON gateway passes it (etcd's TokenFieldNameGRPC and
 * TokenFieldNameSwagger). Services then serve each call as its caller ({@link #serverFor}).
 */
final class CallerToken implements ServerInterceptor {
    private static final Context.Key<String> TOKEN = Context.key("ketcd-caller-token");
    private static final Context.Key<String> CERTIFICATE_USER = Context.key("ketcd-caller-certificate-user");
    static final Metadata.Key<String> TOKEN_HEADER = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION_HEADER = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** With {@code --client-cert-auth}: a call without a token is made by the common name of its verified certificate. */
    private final boolean commonNameAsUser;

    CallerToken() {
        this(false);
    }

    CallerToken(boolean commonNameAsUser) {
        this.commonNameAsUser = commonNameAsUser;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String token = headers.get(TOKEN_HEADER);
        if (token == null) {
            token = headers.get(AUTHORIZATION_HEADER);
        }
        if (token != null) {
            return Contexts.interceptCall(Context.current().withValue(TOKEN, token), call, headers, next);
        }
        String commonName = commonNameAsUser ? commonName(call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION)) : null;
        if (commonName != null) {
            return Contexts.interceptCall(Context.current().withValue(CERTIFICATE_USER, commonName), call, headers, next);
        }
        return next.startCall(call, headers);
    }

    /** The common name of the client's verified certificate (etcd's AuthInfoFromTLS), or null. */
    static String commonName(javax.net.ssl.SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            var peer = session.getPeerCertificates();
            if (peer.length == 0 || !(peer[0] instanceof java.security.cert.X509Certificate cert)) {
                return null;
            }
            return org.ketcd.api.PemFiles.commonName(cert);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The member as the caller of the current call (call it on the call's thread, where its context is). */
    static EtcdServer serverFor(EtcdServer member) {
        String token = TOKEN.get();
        if (token != null) {
            return member.withToken(token);
        }
        String commonName = CERTIFICATE_USER.get();
        return commonName != null ? member.withCertificateUser(commonName) : member;
    }
}
