package org.ketcd.server.auth;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.ketcd.api.PemFiles;

/**
 * etcd's JWT tokens ({@code --auth-token jwt,sign-method=RS256,priv-key=...,pub-key=...,ttl=5m}): a token
 * carries its user, the auth revision it was issued at and its expiry, signed, so every member checks it
 * without any shared state (and a token issued before an auth change is refused as "revision of auth store
 * is old", as etcd does). Sign methods as etcd's: RS, PS and ES with 256/384/512, and HS (the key file's
 * bytes are the secret). With only a public key a member verifies tokens but cannot issue them.
 */
final class JwtTokens {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final String method;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final byte[] hmacKey;
    private final long ttlSeconds;
    private final LongSupplier epochSeconds;

    private JwtTokens(String method, PrivateKey privateKey, PublicKey publicKey, byte[] hmacKey, long ttlSeconds,
                      LongSupplier epochSeconds) {
        this.method = method;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.hmacKey = hmacKey;
        this.ttlSeconds = ttlSeconds;
        this.epochSeconds = epochSeconds;
    }

    /** From etcd's options (after "jwt,"); refuses what etcd refuses with its words ("auth: ..."). */
    static JwtTokens fromOptions(Map<String, String> options, LongSupplier epochSeconds) {
        String method = options.getOrDefault("sign-method", "");
        if (!method.matches("(RS|PS|ES|HS)(256|384|512)")) {
            throw new IllegalArgumentException("auth: invalid auth signature method");
        }
        long ttl = options.containsKey("ttl") ? parseDuration(options.get("ttl")) : Duration.ofMinutes(5).toSeconds();
        try {
            if (method.startsWith("HS")) {
                String file = options.getOrDefault("priv-key", "");
                if (file.isEmpty()) {
                    throw new IllegalArgumentException("auth: missing key data");
                }
                return new JwtTokens(method, null, null, Files.readAllBytes(Path.of(file)), ttl, epochSeconds);
            }
            PrivateKey priv = options.getOrDefault("priv-key", "").isEmpty() ? null
                    : PemFiles.privateKey(Path.of(options.get("priv-key")));
            PublicKey pub = options.getOrDefault("pub-key", "").isEmpty() ? null
                    : PemFiles.publicKey(Files.readString(Path.of(options.get("pub-key"))), options.get("pub-key"));
            if (priv == null && pub == null) {
                throw new IllegalArgumentException("auth: missing key data");
            }
            if (method.startsWith("ES") && pub == null) {
                // the JDK cannot derive an EC public key from the private one (etcd can)
                throw new IllegalArgumentException("auth: sign-method " + method + " needs pub-key beside priv-key");
            }
            return new JwtTokens(method, priv, pub, null, ttl, epochSeconds);
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("auth: cannot read the JWT keys: " + e.getMessage(), e);
        }
    }

    /** Go's durations as etcd's ttl option takes them: 5m, 30s, 1h, 1h30m. */
    static long parseDuration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(h|m|s)").matcher(text);
        long seconds = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            seconds += switch (m.group(2)) {
                case "h" -> n * 3600;
                case "m" -> n * 60;
                default -> n;
            };
            end = m.end();
        }
        if (end != text.length() || text.isEmpty()) {
            throw new IllegalArgumentException("auth: invalid auth options (ttl \"" + text + "\")");
        }
        return seconds;
    }

    boolean canIssue() {
        return privateKey != null || hmacKey != null;
    }

    /** A signed token for {@code user} at auth revision {@code revision} (etcd's claims: username, revision, exp). */
    String issue(String user, long revision) {
        if (!canIssue()) {
            throw new IllegalStateException("auth: token signing attempted with verify-only key");
        }
        JsonObject header = new JsonObject();
        header.addProperty("alg", method);
        header.addProperty("typ", "JWT");
        JsonObject claims = new JsonObject();
        claims.addProperty("exp", epochSeconds.getAsLong() + ttlSeconds);
        claims.addProperty("revision", revision);
        claims.addProperty("username", user);
        String signed = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            return signed + "." + B64.encodeToString(sign(signed.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("auth: cannot sign a JWT token: " + e.getMessage(), e);
        }
    }

    /** The caller a valid, unexpired token of this member's method names; null for anything else. */
    Caller verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonObject header = JsonParser.parseString(new String(B64D.decode(parts[0]), StandardCharsets.UTF_8)).getAsJsonObject();
            if (!header.has("alg") || !method.equals(header.get("alg").getAsString())) {
                return null;
            }
            if (!verify((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), B64D.decode(parts[2]))) {
                return null;
            }
            JsonObject claims = JsonParser.parseString(new String(B64D.decode(parts[1]), StandardCharsets.UTF_8)).getAsJsonObject();
            if (!claims.has("username") || !claims.has("revision")
                    || claims.has("exp") && claims.get("exp").getAsLong() <= epochSeconds.getAsLong()) {
                return null;
            }
            return new Caller(claims.get("username").getAsString(), claims.get("revision").getAsLong());
        } catch (RuntimeException | GeneralSecurityException malformed) {
            return null;
        }
    }

    private byte[] sign(byte[] data) throws GeneralSecurityException {
        if (hmacKey != null) {
            return mac().doFinal(data);
        }
        Signature s = signature();
        s.initSign(privateKey);
        s.update(data);
        return s.sign();
    }

    private boolean verify(byte[] data, byte[] signature) throws GeneralSecurityException {
        if (hmacKey != null) {
            return java.security.MessageDigest.isEqual(mac().doFinal(data), signature);
        }
        Signature s = signature();
        Key key = publicKey != null ? publicKey : publicOf(privateKey);
        s.initVerify((PublicKey) key);
        s.update(data);
        return s.verify(signature);
    }

    private Mac mac() throws GeneralSecurityException {
        String algorithm = "HmacSHA" + method.substring(2);
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(hmacKey, algorithm));
        return mac;
    }

    /** The JDK's signature for the method; ES signatures are JWT's raw r||s (P1363), not DER. */
    private Signature signature() throws GeneralSecurityException {
        String bits = method.substring(2);
        return switch (method.substring(0, 2)) {
            case "RS" -> Signature.getInstance("SHA" + bits + "withRSA");
            case "ES" -> Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
            default -> {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                String digest = "SHA-" + bits;
                pss.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest), Integer.parseInt(bits) / 8, 1));
                yield pss;
            }
        };
    }

    private static PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
        if (key instanceof java.security.interfaces.RSAPrivateCrtKey rsa) {
            return java.security.KeyFactory.getInstance("RSA").generatePublic(
                    new java.security.spec.RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        throw new GeneralSecurityException("give pub-key with an EC priv-key");
    }
}
