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
    static final Metadata.Key<String> TOKEN_HEADER = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION_HEADER = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String token = headers.get(TOKEN_HEADER);
        if (token == null) {
            token = headers.get(AUTHORIZATION_HEADER);
        }
        if (token == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(TOKEN, token), call, headers, next);
    }

    /** The member as the caller of the current call (call it on the call's thread, where its context is). */
    static EtcdServer serverFor(EtcdServer member) {
        return member.withToken(TOKEN.get());
    }
}
