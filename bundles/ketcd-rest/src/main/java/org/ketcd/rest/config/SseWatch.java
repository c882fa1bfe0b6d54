package org.ketcd.rest.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Event;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;
import org.ketcd.rest.OpenStreams;

/**
 * One Server-Sent Events stream of a value's or a tree's changes: one event per store revision, its id
 * the revision, name {@code change}, data {@code {"revision":N,"changes":[{"path","type","value",...}]}}.
 * A client that reconnects with {@code Last-Event-ID: N} resumes at N+1, losing nothing as long as N+1 is
 * not compacted; if it is, one {@code compacted} event (no id) tells the client to re-read and the
 * stream ends. A comment every {@value #HEARTBEAT_SECONDS} s keeps proxies open and finds clients that
 * left: a write that fails ends the stream. Events wait in the store's bounded per-watch buffer: a slow client
 * slows only its own stream.
 *
 * <p>Written by hand on the HTTP thread (one per open stream, in one of the server's {@link OpenStreams} slots):
 * Jersey's SSE API needs a container that can suspend a request, which the JDK HTTP server container cannot
 * ("Method suspend is not supported").
 */
public final class SseWatch implements StreamingOutput {
    static final int HEARTBEAT_SECONDS = 15;

    /** Opens the streams of one REST server, each in one of its {@link OpenStreams} slots. */
    public static final class Hub {
        private final OpenStreams streams;

        public Hub(OpenStreams streams) {
            this.streams = streams;
        }

        /**
         * The stream for a value ({@code tree} false) or a tree from {@code startRevision} (0: from now), or null
         * when every stream slot of the member is taken.
         */
        SseWatch open(EtcdServer caller, String path, boolean tree, long startRevision) {
            byte[] key = ConfigKeys.value(path);
            SseWatch watch = new SseWatch(this, caller, path, WatchRequest.of(key, tree ? ConfigKeys.end(key) : Bytes.EMPTY,
                    startRevision));
            watch.slot = streams.open(watch::stop);
            return watch.slot == null ? null : watch;
        }
    }

    private final Hub hub;
    /** The member as the stream's caller: a watch checks the caller's read permission on its keys. */
    private final EtcdServer caller;
    private final String path;
    private final WatchRequest request;
    private final Semaphore signal = new Semaphore(0);
    private volatile boolean stopped;
    private OpenStreams.Slot slot;

    private SseWatch(Hub hub, EtcdServer caller, String path, WatchRequest request) {
        this.caller = caller;
        this.hub = hub;
        this.path = path;
        this.request = request;
    }

    @Override
    public void write(OutputStream out) throws IOException {
        try (OpenStreams.Slot held = slot; Watch watch = caller.watch(request, signal::release)) {
            out.write(": watching /config/".getBytes(StandardCharsets.UTF_8));
            out.write((path + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!stopped) {
                WatchBatch batch = watch.poll();
                if (batch == null) {
                    if (!signal.tryAcquire(HEARTBEAT_SECONDS, TimeUnit.SECONDS)) {
                        send(out, ": keep-alive\n\n");
                    }
                    continue;
                }
                if (batch.canceled()) {
                    JsonObject o = new JsonObject();
                    o.addProperty("compactRevision", batch.compactRevision());
                    o.addProperty("error", "etcdserver: mvcc: required revision has been compacted; re-read /config/"
                            + path + " and watch again from the revision it answers with");
                    send(out, "event: compacted\ndata: " + o + "\n\n");
                    return;
                }
                sendRevisions(out, batch.events());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientLeft) {
            // its client went away (a DEBUG line of ClientConnection): the stream just ends
        }
    }

    /** One SSE event per revision (a transaction's changes together), id = revision. */
    private void sendRevisions(OutputStream out, List<Event> events) throws IOException {
        StringBuilder frames = new StringBuilder();
        int i = 0;
        while (i < events.size()) {
            long revision = events.get(i).revision();
            JsonArray changes = new JsonArray();
            for (; i < events.size() && events.get(i).revision() == revision; i++) {
                Event e = events.get(i);
                JsonObject c = new JsonObject();
                c.addProperty("path", ConfigKeys.path(e.kv().key()));
                c.addProperty("type", e.type().name());
                if (e.type() == Event.Type.PUT) {
                    c.addProperty("value", new String(e.kv().value(), StandardCharsets.UTF_8));
                    c.addProperty("version", e.kv().version());
                    c.addProperty("createRevision", e.kv().createRevision());
                }
                changes.add(c);
            }
            JsonObject data = new JsonObject();
            data.addProperty("revision", revision);
            data.add("changes", changes);
            frames.append("id: ").append(revision).append("\nevent: change\ndata: ").append(data).append("\n\n");
        }
        send(out, frames.toString());
    }

    private static void send(OutputStream out, String frames) throws IOException {
        out.write(frames.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Ends the stream (its client left, or the server stops): the writing thread leaves at its next wake-up. */
    private void stop() {
        stopped = true;
        signal.release();
    }
}
