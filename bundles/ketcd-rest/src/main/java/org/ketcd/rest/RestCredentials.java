package org.ketcd.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.EtcdServer;

/**
 * The caller of a request to the configuration and services API, from its {@code Authorization} header:
 * {@code Bearer <token>} (a token from {@code /v3/auth/authenticate} or etcdctl), the bare token (as etcd's
 * gateway takes it), or {@code Basic} user and password (checked on each request, no token made). No header:
 * no user, which etcd's auth refuses once enabled.
 */
public final class RestCredentials {
    private RestCredentials() {
    }

    public static EtcdServer serverFor(EtcdServer member, String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return member;
        }
        String value = authorization.strip();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return member.withToken(value.substring(7).strip());
        }
        if (value.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new EtcdException(EtcdError.AUTH_FAILED, EtcdError.AUTH_FAILED.message());
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new EtcdException(EtcdError.AUTH_FAILED, EtcdError.AUTH_FAILED.message());
            }
            return member.withPassword(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        return member.withToken(value);
    }
}
