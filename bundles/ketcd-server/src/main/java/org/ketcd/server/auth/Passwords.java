package org.ketcd.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;

/**
 * Users' passwords as etcd keeps them: bcrypt hashes in Go's {@code $2a$} form (so a hash moves between
 * etcd and Ketcd), at the cost of {@code --bcrypt-cost} (etcd's default 10, between 4 and 31).
 */
final class Passwords {
    static final int MIN_COST = 4;
    static final int MAX_COST = 31;
    static final int DEFAULT_COST = 10;
    /** bcrypt reads at most this many bytes of a password; Go's bcrypt refuses longer ones. */
    static final int MAX_PASSWORD_BYTES = 72;

    private final int cost;
    private final SecureRandom random = new SecureRandom();

    Passwords(int cost) {
        // as etcd: an out-of-range cost falls back to the default
        this.cost = cost < MIN_COST || cost > MAX_COST ? DEFAULT_COST : cost;
    }

    byte[] hash(String password) {
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_PASSWORD_BYTES) {
            throw new EtcdException(EtcdError.PASSWORD_TOO_LONG, EtcdError.PASSWORD_TOO_LONG.message());
        }
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2a", utf8, salt, cost).getBytes(StandardCharsets.US_ASCII);
    }

    static boolean matches(byte[] hash, String password) {
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        if (hash.length == 0 || utf8.length > MAX_PASSWORD_BYTES) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(new String(hash, StandardCharsets.US_ASCII), utf8);
        } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException notBcrypt) {
            return false;
        }
    }
}
