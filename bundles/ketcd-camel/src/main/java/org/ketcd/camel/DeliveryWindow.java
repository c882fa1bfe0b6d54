package org.ketcd.camel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.ketcd.api.Event;

/**
 * The events a consumer has handed to its route and not yet seen succeed: at most {@code size} of them, in
 * revision order ({@code size} is the endpoint's {@code maxInFlight}; why its default is 16:
 * {@link KetcdEndpoint#DEFAULT_MAX_IN_FLIGHT}). Used by the consumer thread only; a route completes its exchanges on any thread, and all a
 * completion does is mark its delivery and wake the consumer thread ({@code wake}).
 * <p>Rules it keeps:
 * <ul>
 * <li><b>Order.</b> Events are sent in revision order, one at a time from the consumer thread, and never while
 *     a failure is outstanding: a broker client that queues its publishes in call order (one MQTT session)
 *     puts them on the wire in revision order.</li>
 * <li><b>Failure.</b> When an exchange fails, nothing more is sent; once every exchange in flight has completed,
 *     the failed event and every event after it, whether or not it succeeded, are sent again in order (after
 *     a back-off). So everything after a failure arrives again, in order, after the failed event: the last copy
 *     of every event a subscriber sees is in revision order, and nothing is skipped. What a later event that
 *     succeeded before the retry means for a subscriber is said in the README ("maxInFlight").</li>
 * <li><b>Checkpoint.</b> {@code delivered} hears of a revision only when its last event and every event before
 *     it succeeded (the completed prefix of the window).</li>
 * </ul>
 */
final class DeliveryWindow {
    /** How to send one event; the route calls {@link Delivery#succeeded()} or {@link Delivery#failed} once. */
    interface Sender {
        void send(Delivery delivery);
    }

    /** Where a revision whose events all succeeded goes (the checkpoint). */
    interface Delivered {
        void revision(long revision) throws Exception;
    }

    /** What happens while the window waits: for a completion, and between retries. */
    interface Waits {
        /** Waits up to {@code ms} for a completion (or anything else that wakes the consumer); false if stopped. */
        boolean completion(long ms) throws InterruptedException;

        /** Sleeps {@code ms} unless stopped first; false if stopped. */
        boolean backoff(long ms);

        void retrying(Delivery failed, int attempt, Exception failure);
    }

    /** One event on its way. */
    final class Delivery {
        final Event event;
        final boolean lastInTransaction;
        final boolean resync;
        /** > 0: once this and every earlier delivery succeeded, every revision up to this one is delivered. */
        private long endsRevision;
        private volatile int state = WAITING;
        private volatile Exception failure;

        private Delivery(Event event, boolean lastInTransaction, boolean resync) {
            this.event = event;
            this.lastInTransaction = lastInTransaction;
            this.resync = resync;
        }

        void succeeded() {
            complete(DONE, null);
        }

        void failed(Exception e) {
            complete(FAILED, e);
        }

        private void complete(int outcome, Exception e) {
            if (state != IN_FLIGHT) {
                return; // a route completes an exchange once; a second call must not free a second slot
            }
            failure = e;
            state = outcome;
            inFlight.decrementAndGet();
            wake.run();
        }
    }

    private static final int WAITING = 0;
    private static final int IN_FLIGHT = 1;
    private static final int DONE = 2;
    private static final int FAILED = 3;
    /** Longest single wait for a completion before the consumer checks whether it was stopped. */
    private static final long POLL_MS = 1000;

    private final int size;
    private final Sender sender;
    private final Delivered delivered;
    private final Waits waits;
    private final Runnable wake;
    /** Handed over, in revision order: the first {@code sent} were sent (in flight or completed), the rest wait. */
    private final List<Delivery> entries = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private int sent;
    private int attempt = 1;
    private long backoff;

    DeliveryWindow(int size, Sender sender, Delivered delivered, Waits waits, Runnable wake) {
        if (size < 1) {
            throw new IllegalArgumentException("window size must be >= 1, was " + size);
        }
        this.size = size;
        this.sender = sender;
        this.delivered = delivered;
        this.waits = waits;
        this.wake = wake;
        this.backoff = KetcdConsumer.FIRST_BACKOFF_MS;
    }

    /**
     * Hands an event over; {@code endsRevision} > 0 if it is the last event of that revision this route sees.
     * Returns once there is room for the next one; throws InterruptedException when stopped.
     */
    void offer(Event event, boolean lastInTransaction, boolean resync, long endsRevision) throws Exception {
        Delivery d = new Delivery(event, lastInTransaction, resync);
        d.endsRevision = endsRevision; // set before it can complete: a stop during the wait below still counts it
        entries.add(d);
        advance();
        while (entries.size() >= size) {
            awaitCompletion();
            advance();
        }
    }

    /**
     * A revision with no event for this route (only reserved keys changed): it counts as delivered once what was
     * handed over before it has succeeded.
     */
    void revisionEnds(long revision) throws Exception {
        if (entries.isEmpty()) {
            delivered.revision(revision);
        } else {
            entries.get(entries.size() - 1).endsRevision = revision;
        }
    }

    /** Returns once everything handed over has succeeded. Throws InterruptedException when stopped. */
    void drain() throws Exception {
        advance();
        while (!entries.isEmpty()) {
            awaitCompletion();
            advance();
        }
    }

    /**
     * Stopping: waits for the exchanges in flight (they are not retried) and reports what completed in order.
     * What did not succeed is not checkpointed, so it is delivered again after a restart.
     */
    void settle() throws Exception {
        while (inFlight.get() > 0) {
            waits.completion(POLL_MS);
        }
        popCompleted();
    }

    /** Reports the completed prefix, retries after a failure once nothing is in flight, sends what fits. */
    void advance() throws Exception {
        popCompleted();
        if (hasFailure()) {
            if (inFlight.get() > 0) {
                return; // send nothing after a failure: a resend must start from the failed event
            }
            retryFromFirstFailure();
        }
        while (sent < entries.size() && sent < size && !hasFailure()) {
            Delivery d = entries.get(sent++);
            d.state = IN_FLIGHT;
            inFlight.incrementAndGet();
            try {
                sender.send(d);
            } catch (Exception e) {
                d.failed(e);
            }
        }
        popCompleted(); // a route that completed synchronously frees its slot at once
    }

    private void popCompleted() throws Exception {
        while (!entries.isEmpty() && entries.get(0).state == DONE) {
            Delivery d = entries.remove(0); // the window is small: the shift is cheap
            sent--;
            attempt = 1;
            backoff = KetcdConsumer.FIRST_BACKOFF_MS;
            if (d.endsRevision > 0) {
                delivered.revision(d.endsRevision);
            }
        }
    }

    /** The head is now the first failed delivery: back off, then mark it and everything after it to send again. */
    private void retryFromFirstFailure() throws Exception {
        Delivery first = entries.get(0);
        waits.retrying(first, attempt, first.failure);
        if (!waits.backoff(backoff)) {
            throw new InterruptedException("stopped");
        }
        attempt++;
        backoff = Math.min(backoff * 2, KetcdConsumer.MAX_BACKOFF_MS);
        for (Delivery d : entries) {
            d.state = WAITING;
            d.failure = null;
        }
        sent = 0;
    }

    private boolean hasFailure() {
        for (int i = 0; i < sent; i++) {
            if (entries.get(i).state == FAILED) {
                return true;
            }
        }
        return false;
    }

    private void awaitCompletion() throws Exception {
        if (!waits.completion(POLL_MS)) {
            throw new InterruptedException("stopped");
        }
    }
}
