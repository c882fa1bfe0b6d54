package org.ketcd.raft;

import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Why a TLS connection between members failed, in the words etcd (Go's crypto/tls) logs: a TLS alert the other
 * member sent is {@code remote error: tls: <alert>} with Go's name of the alert (a JDK member that refuses a
 * certificate sends certificate_unknown, "unknown certificate"; a Go member sends bad_certificate, "bad
 * certificate"), and a certificate this member refused is named with the reason its trust check gave.
 */
public final class PeerTlsFailure {
    private static final Pattern RECEIVED_ALERT = Pattern.compile("Received fatal alert: ([a-z_]+)");
    /** Go's crypto/tls texts of the alerts a certificate check sends; others are shown with their TLS name. */
    private static final Map<String, String> GO_ALERT_TEXT = Map.ofEntries(
            Map.entry("bad_certificate", "bad certificate"),
            Map.entry("certificate_unknown", "unknown certificate"),
            Map.entry("unknown_ca", "unknown certificate authority"),
            Map.entry("certificate_expired", "expired certificate"),
            Map.entry("certificate_revoked", "revoked certificate"),
            Map.entry("unsupported_certificate", "unsupported certificate"),
            Map.entry("certificate_required", "certificate required"),
            Map.entry("handshake_failure", "handshake failure"),
            Map.entry("protocol_version", "protocol version not supported"),
            Map.entry("access_denied", "access denied"),
            Map.entry("internal_error", "internal error"));

    private PeerTlsFailure() {
    }

    /** The failure in etcd's words, or null when {@code error} was not caused by TLS. */
    public static String describe(Throwable error) {
        SSLException tls = null;
        CertificateException refused = null;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException s && tls == null) {
                tls = s;
            }
            if (t instanceof CertificateException c) {
                refused = c;
            }
            Matcher alert = t.getMessage() == null ? null : RECEIVED_ALERT.matcher(t.getMessage());
            if (alert != null && alert.find()) {
                String name = alert.group(1);
                return "remote error: tls: " + GO_ALERT_TEXT.getOrDefault(name, name.replace('_', ' ').toLowerCase(Locale.ROOT));
            }
        }
        if (refused != null) {
            return "this member refused the peer's certificate: " + refused.getMessage();
        }
        return tls == null ? null : "tls: " + tls.getMessage();
    }
}
