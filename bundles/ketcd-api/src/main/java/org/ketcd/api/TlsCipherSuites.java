package org.ketcd.api;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * etcd's {@code --cipher-suites}: the names etcd 3.4 accepts (those of Go's crypto/tls, secure and insecure, and
 * the two CHACHA20 suites also without their {@code _SHA256}) and what they mean for the JDK's TLS. As in Go, the
 * list chooses the TLS 1.0-1.2 suites only: TLS 1.3's suites are not configurable there and stay enabled, so they
 * are added here to every list. A suite the JDK does not offer (RC4, or one disabled by
 * {@code jdk.tls.disabledAlgorithms}) cannot be negotiated; {@link #unavailable} names those.
 */
public final class TlsCipherSuites {
    /** Go's names whose IANA (and JDK) name differs. */
    private static final Map<String, String> GO_ALIASES = Map.of(
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

    /** TLS 1.3's suites, which Go always enables and does not let a list choose. */
    static final List<String> TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    /** Go 1.19's tls.CipherSuites() and tls.InsecureCipherSuites() names (etcd 3.4.23's tlsutil.GetCipherSuite). */
    private static final Set<String> GO_NAMES = Set.of(
            "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");

    private TlsCipherSuites() {
    }

    /** etcd's error for a name it does not know, or null when every name is one etcd accepts. */
    public static String unknown(List<String> goNames) {
        for (String name : goNames) {
            if (!GO_NAMES.contains(name) && !GO_ALIASES.containsKey(name)) {
                return "unexpected TLS cipher suite \"" + name + "\"";
            }
        }
        return null;
    }

    /** The names etcd accepts that this JVM cannot negotiate. */
    public static List<String> unavailable(List<String> goNames) {
        if (goNames.isEmpty()) {
            // the JDK's default TLS context costs ~0.3 s of a member's start: only built when a list is given
            return List.of();
        }
        Set<String> supported = supported();
        return goNames.stream().filter(n -> !supported.contains(GO_ALIASES.getOrDefault(n, n))).toList();
    }

    /** The JDK's names of the suites to enable for {@code goNames}: those it offers, and TLS 1.3's. */
    public static List<String> javaNames(List<String> goNames) {
        Set<String> supported = supported();
        Set<String> names = new LinkedHashSet<>();
        for (String name : goNames) {
            String java = GO_ALIASES.getOrDefault(name, name);
            if (supported.contains(java)) {
                names.add(java);
            }
        }
        TLS13.stream().filter(supported::contains).forEach(names::add);
        return new ArrayList<>(names);
    }

    private static Set<String> supported() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no default TLS context", e);
        }
    }
}
