package org.ketcd.server.auth;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * etcd's simple tokens: random strings each mapped to a user on every member (the token is chosen by the
 * member that took the Authenticate request and replicated with it). A token lives until it goes unused
 * for {@code --auth-token-ttl}, its user is deleted or changes password, or auth is disabled. Tokens are
 * not persisted: after a restart clients authenticate again, as with etcd.
 */
final class SimpleTokens {
    /** etcd's token: 16 letters, then a dot and a number that makes it unique. */
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final int PREFIX_LENGTH = 16;

    private record Entry(String user, long expiresAtNanos) {
    }

    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> tokens = new HashMap<>();
    private long nextSweepNanos;

    SimpleTokens(long ttlSeconds, LongSupplier nanoClock) {
        this.ttlNanos = TimeUnit.SECONDS.toNanos(ttlSeconds);
        this.nanoClock = nanoClock;
        this.nextSweepNanos = nanoClock.getAsLong();
    }

    /** A new token for a request this member takes; {@code unique} tells tokens of the same prefix apart. */
    String newToken(long unique) {
        StringBuilder token = new StringBuilder(PREFIX_LENGTH + 21);
        for (int i = 0; i < PREFIX_LENGTH; i++) {
            token.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        return token.append('.').append(Long.toUnsignedString(unique)).toString();
    }

    synchronized void assign(String token, String user) {
        long now = nanoClock.getAsLong();
        sweepIfDue(now);
        tokens.put(token, new Entry(user, now + ttlNanos));
    }

    /** The user of a live token, whose life starts again (etcd resets a token's TTL on use); else null. */
    synchronized String userOf(String token) {
        long now = nanoClock.getAsLong();
        Entry e = tokens.get(token);
        if (e == null) {
            return null;
        }
        if (now - e.expiresAtNanos >= 0) {
            tokens.remove(token);
            return null;
        }
        tokens.put(token, new Entry(e.user, now + ttlNanos));
        return e.user;
    }

    synchronized void invalidateUser(String user) {
        tokens.values().removeIf(e -> e.user.equals(user));
    }

    synchronized void clear() {
        tokens.clear();
    }

    synchronized int size() {
        return tokens.size();
    }

    /** Drops expired tokens at most once a second, so unused tokens do not pile up. */
    private void sweepIfDue(long now) {
        if (now - nextSweepNanos < 0) {
            return;
        }
        nextSweepNanos = now + TimeUnit.SECONDS.toNanos(1);
        for (Iterator<Entry> it = tokens.values().iterator(); it.hasNext(); ) {
            if (now - it.next().expiresAtNanos >= 0) {
                it.remove();
            }
        }
    }
}
