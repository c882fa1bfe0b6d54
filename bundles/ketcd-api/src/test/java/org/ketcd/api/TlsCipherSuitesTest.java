package org.ketcd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TlsCipherSuitesTest {
    @Test
    void goNamesWithoutSha256AreTheJdksChaCha20SuitesAndTls13StaysEnabled() {
        List<String> java = TlsCipherSuites.javaNames(List.of("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"), java);
    }

    @Test
    void aNameEtcdDoesNotKnowGetsEtcdsError() {
        assertNull(TlsCipherSuites.unknown(List.of("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_RSA_WITH_RC4_128_SHA")));
        assertEquals("unexpected TLS cipher suite \"TLS_BOGUS\"", TlsCipherSuites.unknown(List.of("TLS_BOGUS")));
        assertEquals("unexpected TLS cipher suite \"ECDHE-RSA-AES128-GCM-SHA256\"",
                TlsCipherSuites.unknown(List.of("ECDHE-RSA-AES128-GCM-SHA256")), "OpenSSL's names are not Go's");
    }

    @Test
    void aSuiteEtcdKnowsButTheJdkCannotNegotiateIsNamedAndNotOffered() {
        assertTrue(TlsCipherSuites.unavailable(List.of("TLS_RSA_WITH_RC4_128_SHA")).contains("TLS_RSA_WITH_RC4_128_SHA"));
        assertTrue(!TlsCipherSuites.javaNames(List.of("TLS_RSA_WITH_RC4_128_SHA")).contains("TLS_RSA_WITH_RC4_128_SHA"));
        assertEquals(List.of(), TlsCipherSuites.unavailable(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")));
    }
}
