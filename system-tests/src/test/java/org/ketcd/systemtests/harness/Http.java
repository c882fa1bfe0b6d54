package org.ketcd.systemtests.harness;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** curl-shaped HTTP/1.1 requests to a member's client URL (etcd's gateway and Ketcd's REST API). */
public final class Http {
    public record Answer(int status, String body, java.net.http.HttpHeaders headers) {
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    /**
     * Waits until {@code member}'s client URL serves HTTP/1 ({@code GET /health} answers 200): the REST bundle
     * starts after the member's gRPC endpoint, so a member healthy for etcdctl may answer 404 for a moment.
     */
    public static void awaitRest(Member member, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Answer last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = get(member.endpoint() + "/health");
                if (last.status() == 200) {
                    return;
                }
            } catch (AssertionError notYet) {
                // connection refused while starting
            }
            Member.sleep(250);
        }
        throw new AssertionError(member + " serves no REST API within " + timeout.toSeconds() + " s; last answer: "
                + (last == null ? "none" : last.status() + " " + last.body()));
    }

    public static Answer post(String url, String body) {
        return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public static Answer get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    public static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers());
        } catch (Exception e) {
            throw new AssertionError("HTTP request failed: " + e, e);
        }
    }

    /**
     * POSTs {@code body} and returns the first {@code lines} lines of a streaming answer (then hangs up),
     * each awaited at most {@code perLine}; fewer if the stream ends or goes quiet first.
     */
    public static List<String> streamLines(String url, String body, int lines, Duration perLine, Runnable afterFirst) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        List<String> out = new ArrayList<>();
        try {
            HttpResponse<InputStream> r = CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                    .get(perLine.toMillis(), TimeUnit.MILLISECONDS);
            try (InputStream in = r.body();
                 BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                java.util.concurrent.ExecutorService reading = java.util.concurrent.Executors.newSingleThreadExecutor();
                try {
                    while (out.size() < lines) {
                        java.util.concurrent.Future<String> next = reading.submit(reader::readLine);
                        String line;
                        try {
                            line = next.get(perLine.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (java.util.concurrent.TimeoutException quiet) {
                            break;
                        }
                        if (line == null) {
                            break;
                        }
                        out.add(line);
                        if (out.size() == 1 && afterFirst != null) {
                            afterFirst.run();
                        }
                    }
                } finally {
                    reading.shutdownNow();
                }
            }
        } catch (Exception e) {
            throw new AssertionError("streaming HTTP request failed: " + e, e);
        }
        return out;
    }
}
