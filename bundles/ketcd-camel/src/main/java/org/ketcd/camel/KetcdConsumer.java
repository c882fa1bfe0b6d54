package org.ketcd.camel;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.support.DefaultConsumer;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Event;
import org.ketcd.api.KeyValue;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the changes of a key or prefix, one exchange per event, in revision order, at least once:
 * <ul>
 * <li>It watches through the member's own watch hub, on one thread of its own, and hands the events to the
 *     route in revision order, with up to {@code maxInFlight} exchanges not yet completed (a
 *     {@link DeliveryWindow}; an asynchronous producer such as an MQTT QoS 1 publish then waits for its
 *     acknowledgements side by side instead of one after another). An exchange that fails is retried, with
 *     every event after it, in order (back-off {@value #FIRST_BACKOFF_MS} ms doubling to {@value #MAX_BACKOFF_MS} ms)
 *     until it succeeds or the route stops: nothing is skipped, and a broker that is down holds the stream back
 *     instead of losing it. {@code maxInFlight=1} sends one exchange at a time.</li>
 * <li>Once the last event of a revision and every event before it succeeded, the revision counts as delivered
 *     and goes to the route's {@link Checkpoints checkpoint}; a restarted route, or the route on another member
 *     after a failover, resumes after it. Duplicates are possible only for what was delivered after the last
 *     checkpoint write, and for the events after a failed one (resent with it).</li>
 * <li>Stopping retries nothing, waits for the exchanges in flight and checkpoints what completed in order.</li>
 * <li>If the revision to resume from was compacted, it sends the current state of the range as a resync
 *     (header {@link KetcdConstants#RESYNC}) and goes on from there.</li>
 * </ul>
 */
public class KetcdConsumer extends DefaultConsumer {
    /**
     * First pause before a failed exchange is retried. Short, because many failures are momentary: Paho 1.2.5
     * refuses a publish right after the previous one's PUBACK ("Too many publishes in progress", its in-flight
     * slot is freed a moment later on another thread); with 100 ms, 73 such refusals cost up to 7.3 s of a
     * 31 s throughput run (bench/RESULTS.md). A broker that is down is still retried only every 5 s after 10 tries.
     */
    static final long FIRST_BACKOFF_MS = 5;
    static final long MAX_BACKOFF_MS = 5000;
    /** How long the consumer waits for its thread to finish the exchanges in flight when stopped. */
    static final long STOP_GRACE_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(KetcdConsumer.class);

    private final KetcdEndpoint endpoint;
    private final EtcdServer server;
    private final EventMessages messages;
    private final Semaphore ready = new Semaphore(0);
    private final Semaphore stopping = new Semaphore(0);
    private volatile boolean running;
    private ExecutorService executor;
    private Checkpoints checkpoints;
    private DeliveryWindow window;
    /** The next revision to deliver (0 = not known yet); only the consumer thread changes it after start. */
    private long next;

    KetcdConsumer(KetcdEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.server = endpoint.server();
        this.messages = new EventMessages(endpoint);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (endpoint.isCheckpoint()) {
            checkpoints = new Checkpoints(server, checkpointId(), endpoint.getCheckpointIntervalMs());
        }
        window = new DeliveryWindow(endpoint.getMaxInFlight(), this::send, this::delivered, new Waits(), ready::release);
        running = true;
        stopping.drainPermits();
        // where to start is decided now, so "changes from now on" means from the route's start
        long first;
        try {
            first = startRevision();
        } catch (Exception e) {
            LOG.warn("ketcd consumer {}: start revision not known yet ({}); the consumer keeps trying",
                    endpoint.getPath(), e.toString());
            first = 0;
        }
        long firstRevision = first;
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "ketcd-consumer " + endpoint.getPath());
        executor.submit(() -> run(firstRevision));
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        ready.release();
        stopping.release();
        if (executor != null) {
            // let the exchanges in flight finish (broker sends), so their revisions are checkpointed
            executor.shutdown();
            if (!executor.awaitTermination(STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("ketcd consumer {}: the exchanges in flight did not finish within {} ms; interrupting"
                        + " (they will be delivered again)", endpoint.getPath(), STOP_GRACE_MS);
                getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(executor);
            }
            executor = null;
        }
        super.doStop();
    }

    /** The checkpoint's name: the {@code checkpointId} option, else the id of the route this consumer feeds. */
    private String checkpointId() {
        if (endpoint.getCheckpointId() != null) {
            return endpoint.getCheckpointId();
        }
        Route route = owningRoute();
        String id = route != null ? route.getRouteId() : getRouteId();
        if (id == null) {
            throw new IllegalStateException("ketcd consumer " + endpoint.getPath()
                    + ": no route id to name its checkpoint after; give the route an id or the endpoint checkpointId=...");
        }
        if (route != null && !route.isCustomId()) {
            LOG.warn("ketcd consumer {}: route {} has a generated id, so its checkpoint may belong to another route"
                    + " after a restart; give the route an id", endpoint.getPath(), id);
        }
        return id;
    }

    /**
     * The route this consumer feeds: its own, or the route whose master: endpoint started it. Camel shares one
     * endpoint among all URIs that are equal, so several master: routes over the same {@code ketcd:} URI (one per
     * broker, say) wrap the same endpoint: the route is the one whose master consumer handed this consumer its
     * processor. (Matching on the endpoint alone named every such consumer after the first route, so the routes
     * shared one checkpoint, and a route restarted while another ran resumed after events it had never sent.)
     */
    private Route owningRoute() {
        if (getRoute() != null) {
            return getRoute();
        }
        for (Route r : getEndpoint().getCamelContext().getRoutes()) {
            if (r.getEndpoint() instanceof org.apache.camel.component.master.MasterEndpoint master
                    && master.getEndpoint() == endpoint
                    && r.getConsumer() instanceof DefaultConsumer routeConsumer
                    && routeConsumer.getProcessor() == getProcessor()) {
                return r;
            }
        }
        return null;
    }

    /**
     * Follows the range from {@code firstRevision} (0: not known yet). A failure of the watch or of a read
     * (no majority, member restarting) resumes from the next undelivered revision after a back-off.
     */
    private void run(long firstRevision) {
        long backoff = FIRST_BACKOFF_MS;
        next = firstRevision;
        while (running) {
            try {
                if (next == 0) {
                    next = startRevision();
                }
                follow();
                backoff = FIRST_BACKOFF_MS;
            } catch (InterruptedException e) {
                break;
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                LOG.warn("ketcd consumer {}: {}; resuming from revision {} in {} ms", endpoint.getPath(), e.toString(),
                        next, backoff);
                if (!pause(backoff)) {
                    break;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
        finish();
    }

    private void finish() {
        try {
            window.settle();
        } catch (Exception e) {
            LOG.warn("ketcd consumer {}: stopped before the exchanges in flight completed ({}); they will be delivered"
                    + " again", endpoint.getPath(), e.toString());
        }
        if (checkpoints != null) {
            try {
                checkpoints.flush();
            } catch (Exception e) {
                LOG.warn("ketcd consumer {}: last checkpoint ({}) not written: {}; those events will be delivered again",
                        endpoint.getPath(), checkpoints.delivered(), e.toString());
            }
        }
    }

    /** After the checkpoint; else {@code fromRevision}; else now, which is then checkpointed at once. */
    private long startRevision() throws Exception {
        long stored = checkpoints == null ? 0 : checkpoints.read();
        if (stored > 0) {
            LOG.info("ketcd consumer {}: resuming after checkpoint revision {}", endpoint.getPath(), stored);
            return stored + 1;
        }
        if (endpoint.getFromRevision() > 0) {
            return endpoint.getFromRevision();
        }
        long now = server.currentRevision();
        if (checkpoints != null) {
            checkpoints.delivered(now);
            checkpoints.flush();
        }
        return now + 1;
    }

    /** Delivers from {@link #next} on until stopped; a compacted start becomes a resync. */
    private void follow() throws Exception {
        while (running) {
            WatchRequest request = new WatchRequest(endpoint.key(), endpoint.rangeEnd(), next,
                    !endpoint.deliverPuts(), !endpoint.deliverDeletes(), false);
            ready.drainPermits();
            try (Watch watch = server.watch(request, ready::release)) {
                drain(watch);
            }
        }
    }

    /** Polls and delivers until stopped, or until compacted (then resyncs and returns, to watch anew). */
    private void drain(Watch watch) throws Exception {
        while (running) {
            WatchBatch batch = watch.poll();
            if (batch == null) {
                window.advance(); // completions wake this thread too: report them, retry a failure
                if (!ready.tryAcquire(1, TimeUnit.SECONDS) && checkpoints != null) {
                    checkpoints.flush(); // idle: store what the interval held back
                }
                continue;
            }
            if (batch.canceled()) {
                LOG.warn("ketcd consumer {}: revision {} to resume from is compacted (compact revision {});"
                        + " sending the current state as a resync", endpoint.getPath(), next, batch.compactRevision());
                next = resync() + 1;
                return;
            }
            deliver(batch.events());
        }
    }

    private void deliver(List<Event> events) throws Exception {
        boolean offered = false; // whether the route got an event of the current revision
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (!isReserved(e.kv().key())) {
                Event full = endpoint.isPrevKv() && !e.isCreate() ? e.withPrevKv(previous(e)) : e;
                boolean lastSeen = lastDelivered(events, i);
                window.offer(full, lastSeen, false, lastSeen ? e.revision() : 0);
                offered = true;
            }
            if (i == events.size() - 1 || events.get(i + 1).revision() != e.revision()) {
                next = e.revision() + 1;
                if (!offered) {
                    window.revisionEnds(e.revision());
                }
                offered = false;
            }
        }
    }

    /** A revision whose events all succeeded, and every earlier one. */
    private void delivered(long revision) throws Exception {
        if (checkpoints != null) {
            checkpoints.delivered(revision);
        }
    }

    /** Whether event {@code i} is the last of its revision that this route will see (reserved keys are not). */
    private static boolean lastDelivered(List<Event> events, int i) {
        long revision = events.get(i).revision();
        for (int j = i + 1; j < events.size() && events.get(j).revision() == revision; j++) {
            if (!isReserved(events.get(j).kv().key())) {
                return false;
            }
        }
        return true;
    }

    /** The current state of the range, as PUT events marked resync; returns its revision (then checkpointed). */
    private long resync() throws Exception {
        RangeResponse r = server.range(RangeRequest.of(endpoint.key(), endpoint.rangeEnd()))
                .get(KetcdEndpoint.REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        List<KeyValue> kvs = r.kvs().stream().filter(kv -> !isReserved(kv.key())).toList();
        for (int i = 0; i < kvs.size() && running; i++) {
            window.offer(Event.put(kvs.get(i)), i == kvs.size() - 1, true, 0);
        }
        window.drain();
        if (running && checkpoints != null) {
            checkpoints.delivered(r.revision());
            checkpoints.flush();
        }
        return r.revision();
    }

    /** Hands one event to the route as an exchange; the exchange's completion (on any thread) reports to the window. */
    private void send(DeliveryWindow.Delivery d) {
        if (!running) {
            d.failed(new IllegalStateException("consumer stopped")); // a stopping consumer sends nothing new
            return;
        }
        Exchange exchange = createExchange(false);
        try {
            messages.fill(exchange.getIn(), d.event, d.lastInTransaction, d.resync);
        } catch (Exception e) {
            releaseExchange(exchange, false);
            d.failed(e);
            return;
        }
        getAsyncProcessor().process(exchange, doneSync -> {
            Exception failure = exchange.getException();
            releaseExchange(exchange, false);
            if (failure == null) {
                d.succeeded();
            } else {
                d.failed(failure);
            }
        });
    }

    /** The window waits on this consumer's wake-ups (watch events, completions, stop) and back-off. */
    private final class Waits implements DeliveryWindow.Waits {
        @Override
        public boolean completion(long ms) throws InterruptedException {
            ready.tryAcquire(ms, TimeUnit.MILLISECONDS);
            return running;
        }

        @Override
        public boolean backoff(long ms) {
            return pause(ms);
        }

        @Override
        public void retrying(DeliveryWindow.Delivery failed, int attempt, Exception failure) {
            if (attempt == 1 || attempt % 20 == 0) {
                Event e = failed.event;
                LOG.warn("ketcd consumer {}: delivery of {} {} at revision {} failed (attempt {}): {}; retrying it and"
                        + " every event after it", endpoint.getPath(), e.type(), new String(e.kv().key(), StandardCharsets.UTF_8),
                        e.revision(), attempt, String.valueOf(failure));
            }
        }
    }

    /** etcd reads the previous version when it sends the event; absent if compacted meanwhile. */
    private KeyValue previous(Event e) {
        RangeRequest at = new RangeRequest(e.kv().key(), Bytes.EMPTY, 1, e.revision() - 1, RangeRequest.SortOrder.NONE,
                RangeRequest.SortTarget.KEY, true, false, false, 0, 0, 0, 0);
        try {
            RangeResponse r = server.range(at).get(KetcdEndpoint.REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return r.kvs().isEmpty() ? null : r.kvs().get(0);
        } catch (Exception compacted) {
            return null;
        }
    }

    /** Sleeps unless stopped first; false if stopped. */
    private boolean pause(long ms) {
        try {
            stopping.tryAcquire(ms, TimeUnit.MILLISECONDS);
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    static boolean isReserved(byte[] key) {
        byte[] reserved = KetcdConstants.RESERVED_PREFIX.getBytes(StandardCharsets.US_ASCII);
        if (key.length < reserved.length) {
            return false;
        }
        for (int i = 0; i < reserved.length; i++) {
            if (key[i] != reserved[i]) {
                return false;
            }
        }
        return true;
    }
}
