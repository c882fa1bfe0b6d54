package org.ketcd.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;

class PasswordsTest {

    /** Openwall's crypt_blowfish test vectors, which Go's bcrypt (etcd's) reproduces. */
    @Test
    void hashesMadeByOtherBcryptImplementationsAreAccepted() {
        assertTrue(Passwords.matches(ascii("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"), "U*U"));
        assertTrue(Passwords.matches(ascii("$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"), "U*U*"));
        assertTrue(Passwords.matches(ascii("$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"), ""));
        assertFalse(Passwords.matches(ascii("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"), "U*U*"));
    }

    @Test
    void aHashHasGoBcryptsFormAndCostAndVerifiesOnlyItsPassword() {
        Passwords p = new Passwords(4);
        byte[] hash = p.hash("s3cret");
        String text = new String(hash, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("$2a$04$"), text);
        assertEquals(60, text.length());
        assertTrue(Passwords.matches(hash, "s3cret"));
        assertFalse(Passwords.matches(hash, "s3cret "));
    }

    @Test
    void aCostOutsideBcryptsBoundsFallsBackToTheDefaultAsEtcds() {
        String text = new String(new Passwords(3).hash("x"), StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("$2a$10$"), text);
    }

    @Test
    void aPasswordOverSeventyTwoBytesIsRefusedWithGoBcryptsError() {
        EtcdException e = assertThrows(EtcdException.class, () -> new Passwords(4).hash("x".repeat(73)));
        assertEquals(EtcdError.PASSWORD_TOO_LONG, e.error());
        assertFalse(Passwords.matches(new Passwords(4).hash("x".repeat(72)), "x".repeat(73)));
    }

    @Test
    void somethingThatIsNotABcryptHashMatchesNothing() {
        assertFalse(Passwords.matches(new byte[0], ""));
        assertFalse(Passwords.matches(ascii("plain"), "plain"));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
