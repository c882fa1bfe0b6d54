package org.ketcd.server.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ketcd.api.Bytes;

class KeyRangesTest {
    private static byte[] b(String s) {
        return Bytes.utf8(s);
    }

    @Test
    void aKeyPermissionAllowsThatKeyAlone() {
        KeyRanges r = new KeyRanges.Builder().add(b("/a"), Bytes.EMPTY).build();
        assertTrue(r.allows(b("/a"), Bytes.EMPTY));
        assertFalse(r.allows(b("/a0"), Bytes.EMPTY));
        assertFalse(r.allows(b("/"), Bytes.EMPTY));
        assertFalse(r.allows(b("/a"), b("/b")), "a range beyond the key");
        assertTrue(r.allows(b("/a"), b("/a\0")), "the range of exactly that key");
    }

    @Test
    void aPrefixPermissionAllowsEveryKeyAndRangeInsideIt() {
        KeyRanges r = new KeyRanges.Builder().add(b("/app/"), Bytes.prefixEnd(b("/app/"))).build();
        assertTrue(r.allows(b("/app/x"), Bytes.EMPTY));
        assertTrue(r.allows(b("/app/"), Bytes.prefixEnd(b("/app/"))));
        assertTrue(r.allows(b("/app/a"), b("/app/b")));
        assertFalse(r.allows(b("/ap"), Bytes.prefixEnd(b("/ap"))), "a wider prefix");
        assertFalse(r.allows(b("/app/"), Bytes.FROM_KEY), "every key from /app/ on");
        assertFalse(r.allows(b("/app0"), Bytes.EMPTY));
    }

    @Test
    void adjacentAndOverlappingPermissionsCoverARangeTogether() {
        KeyRanges r = new KeyRanges.Builder()
                .add(b("b"), b("d"))
                .add(b("a"), b("b"))
                .add(b("c"), b("f"))
                .build();
        assertTrue(r.allows(b("a"), b("f")), "[a,b) + [b,d) + [c,f) leave no gap");
        assertFalse(r.allows(b("a"), b("g")));
        KeyRanges gap = new KeyRanges.Builder().add(b("a"), b("b")).add(b("c"), b("d")).build();
        assertFalse(gap.allows(b("a"), b("d")), "[b,c) is not covered");
        assertTrue(gap.allows(b("c"), Bytes.EMPTY));
    }

    @Test
    void aFromKeyPermissionIsUnbounded() {
        KeyRanges r = new KeyRanges.Builder().add(b("m"), Bytes.FROM_KEY).build();
        assertTrue(r.allows(b("m"), Bytes.FROM_KEY));
        assertTrue(r.allows(b("zzz"), Bytes.EMPTY));
        assertTrue(r.allows(b("x"), b("y")));
        assertFalse(r.allows(b("a"), Bytes.FROM_KEY));
    }

    @Test
    void noPermissionAllowsNothing() {
        KeyRanges r = new KeyRanges.Builder().build();
        assertFalse(r.allows(b("a"), Bytes.EMPTY));
        assertFalse(r.allows(b("a"), Bytes.FROM_KEY));
    }
}
