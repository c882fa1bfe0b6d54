package org.ketcd.rest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.ketcd.grpc.GrpcEndpoint;
import org.ketcd.server.LocalCluster;

/**
 * A {@link LocalCluster} whose members each serve gRPC and, on the same client port, the REST API, wired
 * as in Karaf: the client port relays HTTP/1 to the member's {@link RestServer}, which calls the gRPC
 * services in-process. Requests go over real HTTP on loopback ({@link java.net.http.HttpClient}).
 */
final class RestCluster implements AutoCloseable {
    private final LocalCluster cluster;
    private final List<GrpcEndpoint> endpoints = new ArrayList<>();
    private final List<AtomicReference<RestServer>> rests = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The Camel routes every member's /metrics reports (none unless a test runs a Camel). */
    private final AtomicReference<org.ketcd.api.DeployedRoutes> camelRoutes = new AtomicReference<>();

    /** Lets every member's /metrics report {@code routes} (null: none). */
    void camelRoutes(org.ketcd.api.DeployedRoutes routes) {
        camelRoutes.set(routes);
    }

    private RestCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    static RestCluster start(Path dir, int size, String... flags) throws Exception {
        RestCluster c = new RestCluster(LocalCluster.start(dir, size, "rest-cluster", size, flags));
        try {
            for (int i = 0; i < size; i++) {
                c.startEndpoints(i);
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void startEndpoints(int i) throws Exception {
        AtomicReference<RestServer> rest = new AtomicReference<>();
        // the client port asks for the REST server's address per connection, as GrpcEndpointComponent does
        // and with the member's flags for the client port (--max-concurrent-streams, keepalive)
        // and its --listen-metrics-urls
        GrpcEndpoint endpoint = GrpcEndpoint.start(cluster.member(i).server(), List.of(URI.create(clientUrl(i))),
                cluster.member(i).config().listenMetricsUrls(), org.ketcd.grpc.Http1Upstreams.of(rest::get),
                cluster.member(i).config().clientTls(), cluster.member(i).config().clientGrpcSettings());
        endpoints.add(endpoint);
        rests.add(rest);
        startRest(i);
    }

    LocalCluster cluster() {
        return cluster;
    }

    String clientUrl(int i) {
        return cluster.clientUrl(i);
    }

    /** POSTs {@code json} to {@code path} on member {@code i}. */
    HttpResponse<String> post(int i, String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(clientUrl(i) + path)).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** etcd's gateway watch on member {@code i}, opened with {@code json}: one line per WatchResponse, open until closed. */
    HttpResponse<java.util.stream.Stream<String>> gatewayWatch(int i, String json) throws Exception {
        HttpRequest watch = HttpRequest.newBuilder(URI.create(clientUrl(i) + "/v3/watch"))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.sendAsync(watch, HttpResponse.BodyHandlers.ofLines()).get(20, java.util.concurrent.TimeUnit.SECONDS);
    }

    HttpResponse<String> get(int i, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(clientUrl(i) + path)).GET());
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpClient http() {
        return http;
    }

    /** Member {@code i}'s REST server (null while stopped). */
    RestServer rest(int i) {
        return rests.get(i).get();
    }

    /** Stops member {@code i}'s REST server only (as when the ketcd-rest bundle stops for an update). */
    void stopRest(int i) {
        RestServer r = rests.get(i).getAndSet(null);
        if (r != null) {
            r.close();
        }
    }

    /** Starts member {@code i}'s REST server (again), on the running gRPC endpoint. */
    void startRest(int i) {
        GrpcEndpoint endpoint = endpoints.get(i);
        rests.get(i).set(RestServer.start(cluster.member(i).server(), endpoint.gateway(), endpoint::callStats, camelRoutes::get));
    }

    /** Stops member {@code i}: its endpoints first, then the member. */
    void stop(int i) throws Exception {
        stopRest(i);
        GrpcEndpoint e = endpoints.set(i, null);
        if (e != null) {
            e.close();
        }
        cluster.stopMember(i);
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < rests.size(); i++) {
            stopRest(i);
        }
        for (GrpcEndpoint e : endpoints) {
            if (e != null) {
                e.close();
            }
        }
        cluster.close();
    }
}
