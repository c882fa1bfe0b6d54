package org.ketcd.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Whether a certificate is valid for a host name or IP address, as Go's {@code x509.Certificate.VerifyHostname}
 * decides it for etcd's {@code --client-cert-allowed-hostname} and {@code --peer-cert-allowed-hostname}: an IP
 * address must be among the IP subject alternative names, a host name among the DNS ones (case-insensitive;
 * {@code *.example.com} stands for one label). The common name is not consulted (Go 1.15 and later).
 */
public final class CertificateHost {
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private CertificateHost() {
    }

    public static boolean verifies(X509Certificate certificate, String host) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean ip = h.matches("[0-9.]+") || h.contains(":");
        for (List<?> name : names) {
            int type = (Integer) name.get(0);
            String value = (String) name.get(1);
            if (ip && type == IP_ADDRESS && sameAddress(value, h)) {
                return true;
            }
            if (!ip && type == DNS_NAME && dnsMatches(value.toLowerCase(Locale.ROOT), h.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b)); // literals only: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean dnsMatches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(pattern.substring(1));
        }
        return pattern.equals(host);
    }
}
