package org.ketcd.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real single-member etcd 3.4 ({@code /usr/bin/etcd}, Debian's etcd-server) on free loopback ports,
 * with the v2 API enabled: the discovery service for discovery tests. Killed by its PID on close.
 */
public final class RealEtcd implements AutoCloseable {
    static final String BINARY = "/usr/bin/etcd";

    private final Process process;
    private final String clientUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    private RealEtcd(Process process, String clientUrl) {
        this.process = process;
        this.clientUrl = clientUrl;
    }

    public static RealEtcd start(Path dir) throws Exception {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new AssertionError(BINARY + " not found: install Debian's etcd-server");
        }
        String client = "http://127.0.0.1:" + TestPorts.next();
        String peer = "http://127.0.0.1:" + TestPorts.next();
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(BINARY, "--name", "discovery", "--data-dir", dir.resolve("data").toString(),
                "--enable-v2", "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "discovery=" + peer)
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        RealEtcd etcd = new RealEtcd(p, client);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (etcd.http.send(HttpRequest.newBuilder(URI.create(client + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("true")) {
                    return etcd;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                etcd.close();
                throw new AssertionError("etcd did not start: " + Files.readString(dir.resolve("etcd.log")));
            }
            Thread.sleep(100);
        }
    }

    public String clientUrl() {
        return clientUrl;
    }

    /** The v2 discovery URL of {@code token}, with the expected cluster size set as etcd's docs do (curl -X PUT). */
    public String v2DiscoveryUrl(String token, int size) throws Exception {
        String url = clientUrl + "/v2/keys/" + token;
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/_config/size"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString("value=" + size)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError("setting the size failed: " + r.body());
        }
        return url;
    }

    /** The v2 keys API's listing of a token: its registrations, as {@code curl <discovery url>} shows them. */
    public String v2Get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Runs etcdctl (v3 API) against this etcd; returns its output. */
    public String etcdctl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/etcdctl", "--endpoints", clientUrl));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("etcdctl " + args[0] + " timed out");
        }
        return new String(p.getInputStream().readAllBytes()).trim();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
