package org.ketcd.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SimpleTokensTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final SimpleTokens tokens = new SimpleTokens(300, now::get);

    private void advanceSeconds(long s) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(s));
    }

    @Test
    void aTokenHasEtcdsShapeAndIsNotReused() {
        String a = tokens.newToken(7);
        assertTrue(a.matches("[a-zA-Z]{16}\\.7"), a);
        assertNotEquals(a, tokens.newToken(7));
    }

    @Test
    void aTokenLivesWhileUsedAndExpiresAfterTheTtlUnused() {
        tokens.assign("t.1", "alice");
        advanceSeconds(299);
        assertEquals("alice", tokens.userOf("t.1"), "used before its TTL: valid, and its life starts again");
        advanceSeconds(299);
        assertEquals("alice", tokens.userOf("t.1"));
        advanceSeconds(300);
        assertNull(tokens.userOf("t.1"), "unused for the TTL");
    }

    @Test
    void deletingOrChangingAUserEndsItsTokensOnly() {
        tokens.assign("t.1", "alice");
        tokens.assign("t.2", "alice");
        tokens.assign("t.3", "bob");
        tokens.invalidateUser("alice");
        assertNull(tokens.userOf("t.1"));
        assertNull(tokens.userOf("t.2"));
        assertEquals("bob", tokens.userOf("t.3"));
    }

    @Test
    void expiredTokensDoNotPileUp() {
        for (int i = 0; i < 100; i++) {
            tokens.assign("old." + i, "alice");
        }
        advanceSeconds(301);
        tokens.assign("new.1", "alice");
        assertEquals(1, tokens.size());
    }
}
