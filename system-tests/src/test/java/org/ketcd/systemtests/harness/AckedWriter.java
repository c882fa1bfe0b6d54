package org.ketcd.systemtests.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A client writing the whole time a failure happens: puts {@code <prefix>00000}, {@code <prefix>00001},
 * ... one after another with etcdctl through all given endpoints (etcdctl picks one and fails over), and
 * records every acknowledged put with the revision in its response. A failed put (timeout, no leader)
 * is counted and the writer goes on with the next key: what was not acknowledged may or may not exist.
 */
public final class AckedWriter implements AutoCloseable {
    /** One put etcdctl reported as done: the key must be readable with this value at this revision. */
    public record Ack(String key, String value, long revision) {
    }

    private static final Duration PUT_TIMEOUT = Duration.ofSeconds(6);
    /** Bound on the run: ~20 puts/s through etcdctl, so no test ever gets near it. */
    private static final int MAX_PUTS = 100_000;

    private final String prefix;
    private final Supplier<String> endpoints;
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile String lastFailure = "";
    private final Thread thread;

    private AckedWriter(String prefix, Supplier<String> endpoints) {
        this.prefix = prefix;
        this.endpoints = endpoints;
        this.thread = new Thread(this::write, "acked-writer-" + prefix);
        this.thread.setDaemon(true);
    }

    /** Starts writing through the client endpoints of {@code members}. */
    public static AckedWriter start(String prefix, List<Member> members) {
        String all = String.join(",", members.stream().map(Member::endpoint).toList());
        AckedWriter w = new AckedWriter(prefix, () -> all);
        w.thread.start();
        return w;
    }

    private void write() {
        for (int i = 0; i < MAX_PUTS && !stop.get(); i++) {
            String key = String.format("%s%05d", prefix, i);
            String value = "v" + i;
            CommandResult r = Etcdctl.run(endpoints.get(), null, PUT_TIMEOUT, "put", key, value, "-w", "json");
            if (r.ok()) {
                acks.add(new Ack(key, value, Normalizer.json(r).path("header").path("revision").asLong()));
            } else {
                failures.incrementAndGet();
                lastFailure = r.describe();
                Member.sleep(50);
            }
        }
    }

    public String prefix() {
        return prefix;
    }

    public int acknowledged() {
        return acks.size();
    }

    /** Waits (bounded) until {@code more} further puts have been acknowledged: the cluster takes writes. */
    public void awaitMoreAcks(int more, Duration timeout) {
        int target = acks.size() + more;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acks.size() < target) {
            if (System.nanoTime() > deadline || !thread.isAlive()) {
                throw new AssertionError("the writer got " + (acks.size() - target + more) + " of " + more
                        + " further puts acknowledged within " + timeout + " (" + failures.get()
                        + " failed so far); last failure:\n" + lastFailure);
            }
            Member.sleep(100);
        }
    }

    /** Stops after the put in flight and returns every acknowledged put in order. */
    public List<Ack> stop() {
        stop.set(true);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (thread.isAlive()) {
            throw new AssertionError("writer " + prefix + " did not stop within 30 s");
        }
        return new ArrayList<>(acks);
    }

    @Override
    public String toString() {
        return "writer " + prefix + ": " + acks.size() + " acknowledged, " + failures.get() + " failed";
    }

    @Override
    public void close() {
        stop.set(true);
    }
}
