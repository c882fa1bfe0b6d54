package org.ketcd.rest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A minimal text/event-stream reader: events (id, name, data) into a queue, as a browser's EventSource parses them. */
final class SseClient implements AutoCloseable {
    record SseEvent(String id, String name, String data) {
    }

    final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
    final int status;
    private final Stream<String> lines;
    private final CompletableFuture<Void> reader;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.status = response.statusCode();
        this.lines = response.body();
        this.reader = CompletableFuture.runAsync(this::read);
    }

    static SseClient open(HttpClient http, String url, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return new SseClient(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines()).get(20, TimeUnit.SECONDS));
    }

    private void read() {
        String id = null;
        String name = null;
        StringBuilder data = new StringBuilder();
        try {
            for (var it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (data.length() > 0 || name != null) {
                        events.add(new SseEvent(id, name, data.toString()));
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).trim());
                }
            }
        } catch (RuntimeException streamEnded) {
            // the member went away or we closed
        }
        events.add(new SseEvent(null, "<end>", ""));
    }

    SseEvent next(long seconds) throws InterruptedException {
        return events.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        lines.close();
        reader.cancel(true);
    }
}
