package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made by openssl in a fresh directory (never checked in): a CA, a server
 * certificate for 127.0.0.1 and localhost (its key in PKCS#1 form, as openssl's "traditional" output and
 * cfssl write RSA keys), client certificates whose common names are users, and a second CA that the
 * members do not trust, with a server certificate from it (for a member the others must refuse), and a client
 * certificate from the CA that expired in 2024.
 */
public final class TestPki {
    private final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    public static TestPki create(Path dir) {
        TestPki pki = new TestPki(dir);
        try {
            Files.createDirectories(dir);
            pki.ca("ca");
            pki.ca("other-ca");
            pki.signed("server", "server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
            pki.openssl("rsa", "-in", "server.key", "-traditional", "-out", "server-pkcs1.key");
            for (String user : List.of("root", "alice")) {
                pki.signed(user, user, "ca", "extendedKeyUsage=clientAuth\n");
            }
            pki.signed("mallory", "root", "other-ca", "extendedKeyUsage=clientAuth\n");
            pki.expired("expired", "alice");
            pki.signed("rogue-server", "server", "other-ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return pki;
    }

    /**
     * An RSA key for JWT auth tokens (jwt.key in PKCS#1 form, its certificate jwt.crt) and etcd's --auth-token value
     * that uses it with RS256.
     */
    public String jwtAuthToken() {
        try {
            openssl("genrsa", "-traditional", "-out", "jwt.key", "2048");
            // a certificate of the signing key as the public key, as etcd's own e2e tests pass it (server.crt)
            openssl("req", "-new", "-x509", "-key", "jwt.key", "-subj", "/CN=jwt", "-days", "1", "-out", "jwt.crt");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "jwt,pub-key=" + file("jwt.crt") + ",priv-key=" + file("jwt.key") + ",sign-method=RS256,ttl=10m";
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** etcdctl's flags for a client with {@code user}'s certificate from the trusted CA. */
    public String[] ctlFlags(String user) {
        return new String[] {"--cacert=" + file("ca.crt"), "--cert=" + file(user + ".crt"), "--key=" + file(user + ".key")};
    }

    /** The member's flags: its certificate and key, and client certificates required from the CA. */
    public String[] memberFlags() {
        return new String[] {"--cert-file", file("server.crt").toString(), "--key-file", file("server-pkcs1.key").toString(),
            "--trusted-ca-file", file("ca.crt").toString(), "--client-cert-auth"};
    }

    /**
     * Peer TLS flags for a member serving its peer port with {@code server}'s certificate ("server" from the CA,
     * "rogue-server" from the other CA) and requiring members that dial in to show one from the CA.
     */
    public String[] peerFlags(String server) {
        return new String[] {"--peer-cert-file", file(server + ".crt").toString(), "--peer-key-file", file(server + ".key").toString(),
            "--peer-trusted-ca-file", file("ca.crt").toString(), "--peer-client-cert-auth"};
    }

    private void ca(String name) throws IOException {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt", "-days", "2",
                "-subj", "/CN=" + name);
    }

    private void signed(String name, String commonName, String ca, String extensions) throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + commonName);
        Files.writeString(dir.resolve(name + ".ext"), extensions);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    /** A client certificate from the CA, valid only on 1 January 2024 (openssl ca sets past dates; x509 cannot). */
    private void expired(String name, String commonName) throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + commonName);
        Files.writeString(dir.resolve(name + ".ext"), "extendedKeyUsage=clientAuth\n");
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("ca.cnf"), "[ca]\ndefault_ca = ca_default\n[ca_default]\ndatabase = index.txt\n"
                + "new_certs_dir = .\nserial = ca.srl\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n");
        openssl("ca", "-batch", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.crt", "-in", name + ".csr",
                "-out", name + ".crt", "-notext", "-startdate", "20240101000000Z", "-enddate", "20240102000000Z",
                "-extfile", name + ".ext");
    }

    private void openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl did not finish: " + cmd);
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0) {
                throw new IOException("openssl failed (" + p.exitValue() + "): " + cmd + "\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
