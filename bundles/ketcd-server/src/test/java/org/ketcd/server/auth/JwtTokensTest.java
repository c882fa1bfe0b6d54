package org.ketcd.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtTokensTest {
    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(1_800_000_000L);

    private Path pem(String name, String type, byte[] der) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END " + type + "-----\n");
        return f;
    }

    private JwtTokens rsa(String method, String ttl) throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        return JwtTokens.fromOptions(Map.of("sign-method", method, "ttl", ttl,
                "priv-key", pem("k.pem", "PRIVATE KEY", pair.getPrivate().getEncoded()).toString(),
                "pub-key", pem("p.pem", "PUBLIC KEY", pair.getPublic().getEncoded()).toString()), now::get);
    }

    @Test
    void aTokenNamesItsUserAndTheAuthRevisionItWasIssuedAt() throws Exception {
        for (String method : new String[] {"RS256", "RS512", "PS256", "PS384"}) {
            JwtTokens t = rsa(method, "5m");
            String token = t.issue("alice", 7);
            assertEquals(3, token.split("\\.").length);
            assertEquals(new Caller("alice", 7), t.verify(token), method);
        }
    }

    @Test
    void ecdsaAndHmacTokensVerify() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        JwtTokens es = JwtTokens.fromOptions(Map.of("sign-method", "ES256",
                "priv-key", pem("ec.pem", "PRIVATE KEY", pair.getPrivate().getEncoded()).toString(),
                "pub-key", pem("ecp.pem", "PUBLIC KEY", pair.getPublic().getEncoded()).toString()), now::get);
        assertEquals(new Caller("bob", 3), es.verify(es.issue("bob", 3)));
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "not so secret");
        JwtTokens hs = JwtTokens.fromOptions(Map.of("sign-method", "HS256", "priv-key", secret.toString()), now::get);
        assertEquals(new Caller("carol", 1), hs.verify(hs.issue("carol", 1)));
    }

    @Test
    void anExpiredTamperedOrForeignTokenIsRefused() throws Exception {
        JwtTokens t = rsa("RS256", "1m");
        String token = t.issue("alice", 7);
        String[] parts = token.split("\\.");
        String otherClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"exp\":1900000000,\"revision\":7,\"username\":\"root\"}".getBytes());
        assertNull(t.verify(parts[0] + "." + otherClaims + "." + parts[2]), "claims changed after signing");
        assertNull(rsa("RS256", "1m").verify(token), "signed with another key");
        assertNull(t.verify("garbage"));
        assertNull(t.verify("a.b.c"));
        now.addAndGet(60);
        assertNull(t.verify(token), "expired");
    }

    @Test
    void optionsAreCheckedAsEtcdChecksThem() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JwtTokens.fromOptions(Map.of("sign-method", "XX256"), now::get));
        assertEquals("auth: invalid auth signature method", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> JwtTokens.fromOptions(Map.of("sign-method", "RS256"), now::get));
        assertEquals("auth: missing key data", e.getMessage());
        assertEquals(5400, JwtTokens.parseDuration("1h30m"));
        assertThrows(IllegalArgumentException.class, () -> JwtTokens.parseDuration("5 minutes"));
        KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        JwtTokens verifyOnly = JwtTokens.fromOptions(Map.of("sign-method", "RS256",
                "pub-key", pem("only.pem", "PUBLIC KEY", pair.getPublic().getEncoded()).toString()), now::get);
        assertTrue(!verifyOnly.canIssue());
    }
}
