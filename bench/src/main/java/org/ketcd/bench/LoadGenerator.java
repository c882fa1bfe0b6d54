package org.ketcd.bench;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator: one sender thread, a semaphore of {@code --clients} permits for the requests in
 * flight, async grpc-java stubs whose callbacks run directly on the (few) Netty event-loop threads,
 * keys and values generated before the run.
 */
final class LoadGenerator {

    /** A request completed: {@code kind} selects the histogram (mixed: 0 read, 1 write). */
    interface Completion {
        void done(int kind, Object response, Throwable error);
    }

    interface Issue {
        void issue(long seq, int channel, Completion c);
    }

    /** Called on each completed request of a recorded phase, with its send and completion times. */
    interface Hook {
        void completed(Object response, long sentNanos, long doneNanos);
    }

    private final Options o;
    private final List<String> endpoints;
    final ManagedChannel[] channels;
    private final KVGrpc.KVStub[] kv;
    private final LeaseGrpc.LeaseStub[] lease;
    private final ByteString[] keys;
    final ByteString value;
    private Semaphore inFlight;
    private long seq;

    LoadGenerator(Options o) {
        this.o = o;
        List<String> eps = o.endpoints;
        if (o.targetLeader) {
            String leader = Main.findLeader(eps);
            if (leader == null) {
                System.err.println("ketcd-bench: --target-leader: no endpoint reports itself leader; using all endpoints");
            } else {
                eps = List.of(leader);
            }
        }
        if (o.targetFollowers) {
            String leader = Main.findLeader(eps);
            List<String> followers = eps.stream().filter(ep -> !ep.equals(leader)).toList();
            if (leader == null || followers.isEmpty()) {
                throw new IllegalStateException("--target-followers: " + (leader == null
                        ? "no endpoint reports itself leader" : "the only endpoint leads"));
            }
            eps = followers;
        }
        this.endpoints = eps;
        channels = new ManagedChannel[o.conns];
        kv = new KVGrpc.KVStub[o.conns];
        lease = new LeaseGrpc.LeaseStub[o.conns];
        for (int i = 0; i < o.conns; i++) {
            channels[i] = channel(eps.get(i % eps.size()));
            kv[i] = KVGrpc.newStub(channels[i]);
            lease[i] = LeaseGrpc.newStub(channels[i]);
        }
        if (o.keySpaceSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--key-space-size too large");
        }
        keys = new ByteString[(int) o.keySpaceSize];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(i, o.keySize);
        }
        byte[] v = new byte[o.valSize];
        ThreadLocalRandom.current().nextBytes(v);
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) ('a' + (v[i] & 0xff) % 26);
        }
        value = ByteString.copyFrom(v);
        inFlight = new Semaphore(o.clients);
    }

    /** Sets the number of requests in flight for the next phases (between phases only). */
    void setClients(int clients) {
        o.clients = clients;
        inFlight = new Semaphore(clients);
    }

    static ManagedChannel channel(String endpoint) {
        return NettyChannelBuilder.forTarget(endpoint)
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(256 << 20)
                .build();
    }

    /** Key i: decimal, zero-padded to {@code size} bytes if it fits, else big-endian binary. */
    static ByteString key(long i, int size) {
        String dec = Long.toString(i);
        byte[] b = new byte[size];
        if (dec.length() <= size) {
            Arrays.fill(b, (byte) '0');
            byte[] d = dec.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(d, 0, b, size - d.length, d.length);
        } else {
            long x = i;
            for (int k = size - 1; k >= 0; k--) {
                b[k] = (byte) x;
                x >>>= 8;
            }
        }
        return ByteString.copyFrom(b);
    }

    private ByteString keyFor(long s) {
        if (o.sequentialKeys) {
            return keys[(int) (s % keys.length)];
        }
        return keys[keys.length == 1 ? 0 : ThreadLocalRandom.current().nextInt(keys.length)];
    }

    <T> StreamObserver<T> unary(int kind, Completion c) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T v) {
                c.done(kind, v, null);
            }

            @Override
            public void onError(Throwable t) {
                c.done(kind, null, t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    KVGrpc.KVStub kv(int ch) {
        return kv[ch].withDeadlineAfter((long) (o.timeoutSec * 1000), TimeUnit.MILLISECONDS);
    }

    private void put(long s, int ch, int kind, Completion c) {
        kv(ch).put(PutRequest.newBuilder().setKey(keyFor(s)).setValue(value).build(), unary(kind, c));
    }

    private void range(long s, int ch, int kind, Completion c) {
        kv(ch).range(RangeRequest.newBuilder().setKey(keyFor(s)).setSerializable(o.serializable).build(),
                unary(kind, c));
    }

    int run() throws Exception {
        try {
            return switch (o.op) {
                case "watch" -> runWatch();
                case "camel-mqtt" -> new CamelMqttBench(o, this).run();
                default -> runUnary();
            };
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow();
            }
            for (ManagedChannel ch : channels) {
                ch.awaitTermination(2, TimeUnit.SECONDS);
            }
        }
    }

    private int runUnary() throws InterruptedException {
        Issue issue;
        Stats[] stats;
        List<KeepAliveSlot> slots = new ArrayList<>();
        String note = "";
        switch (o.op) {
            case "put" -> issue = (s, ch, c) -> put(s, ch, 0, c);
            case "range" -> issue = (s, ch, c) -> range(s, ch, 0, c);
            case "mixed" -> issue = (s, ch, c) -> {
                if (ThreadLocalRandom.current().nextDouble() < o.readRatio) {
                    range(s, ch, 0, c);
                } else {
                    put(s, ch, 1, c);
                }
            };
            case "txn-put" -> issue = (s, ch, c) -> {
                TxnRequest.Builder t = TxnRequest.newBuilder();
                for (int k = 0; k < o.txnOps; k++) {
                    t.addSuccess(RequestOp.newBuilder().setRequestPut(
                            PutRequest.newBuilder().setKey(keyFor(s * o.txnOps + k)).setValue(value)));
                }
                kv(ch).txn(t.build(), unary(0, c));
            };
            case "lease-grant" -> issue = (s, ch, c) -> lease[ch]
                    .withDeadlineAfter((long) (o.timeoutSec * 1000), TimeUnit.MILLISECONDS)
                    .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(o.ttl).build(), unary(0, c));
            case "lease-keepalive" -> {
                long leaseId = 1;
                try {
                    LeaseGrantResponse g = LeaseGrpc.newBlockingStub(channels[0])
                            .withDeadlineAfter((long) (o.timeoutSec * 1000), TimeUnit.MILLISECONDS)
                            .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(Math.max(o.ttl, 600)).build());
                    leaseId = g.getID();
                } catch (RuntimeException e) {
                    note = "setup LeaseGrant failed (" + Stats.message(e) + "); keep-alives sent for lease id 1";
                    System.err.println("ketcd-bench: " + note);
                }
                ConcurrentLinkedQueue<KeepAliveSlot> free = new ConcurrentLinkedQueue<>();
                // --clients requests in flight over --clients / --stream-depth streams
                for (int i = 0; i < o.clients; i++) {
                    if (i % o.streamDepth == 0) {
                        slots.add(new KeepAliveSlot(lease[slots.size() % o.conns]));
                    }
                    free.add(slots.get(slots.size() - 1));
                }
                final long id = leaseId;
                issue = (s, ch, c) -> {
                    KeepAliveSlot slot = free.poll();
                    if (slot == null) {
                        c.done(0, null, new IllegalStateException("no free keep-alive stream"));
                        return;
                    }
                    slot.send(id, (k, r, e) -> {
                        free.add(slot);
                        c.done(k, r, e);
                    });
                };
            }
            default -> throw new IllegalArgumentException("unknown op " + o.op);
        }
        stats = o.op.equals("mixed")
                ? new Stats[] {new Stats("range"), new Stats("put")}
                : new Stats[] {new Stats(o.op)};

        if (o.prefill && (o.op.equals("range") || o.op.equals("mixed"))) {
            long t = System.nanoTime();
            Stats pre = new Stats("prefill");
            boolean seqKeys = o.sequentialKeys;
            o.sequentialKeys = true;
            long base = seq;
            seq = 0;
            runPhase(keys.length, 0, 0, (s, ch, c) -> put(s, ch, 0, c), new Stats[] {pre}, null);
            seq = base + keys.length;
            o.sequentialKeys = seqKeys;
            System.out.printf("prefill: %d keys in %.1f s (%d errors)%n", pre.ok.sum(),
                    (System.nanoTime() - t) / 1e9, pre.errorCount());
        }
        if (o.warmupSec > 0) {
            Stats[] w = new Stats[stats.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = new Stats("warmup");
            }
            runPhase(Long.MAX_VALUE, o.warmupSec, o.rate, issue, w, null);
        }
        long cpu0 = cpuNanos();
        long elapsed = runPhase(o.total, o.durationSec, o.rate, issue, stats, null);
        long cpu = cpuNanos() - cpu0;
        for (KeepAliveSlot s : slots) {
            s.close();
        }
        report(stats, elapsed, cpu, null, note);
        return 0;
    }

    /** Runs one phase; returns its elapsed nanoseconds (first send to last completion or give-up). */
    long runPhase(long total, double durationSec, double rate, Issue issue, Stats[] stats, Hook hook)
            throws InterruptedException {
        long start = System.nanoTime();
        long end = durationSec > 0 ? start + (long) (durationSec * 1e9) : Long.MAX_VALUE;
        int conns = channels.length;
        send:
        for (long i = 0; i < total; i++) {
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                if (due >= end) {
                    break;
                }
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
            }
            if (System.nanoTime() >= end) {
                break;
            }
            while (!inFlight.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() >= end) {
                    break send;
                }
            }
            long s = seq++;
            final long t0 = System.nanoTime();
            Completion c = (kind, resp, err) -> {
                long t1 = System.nanoTime();
                if (err == null) {
                    stats[kind].recordOk((t1 - t0) / 1000);
                    if (hook != null) {
                        hook.completed(resp, t0, t1);
                    }
                } else {
                    stats[kind].recordError(err);
                }
                inFlight.release();
            };
            try {
                issue.issue(s, (int) (s % conns), c);
            } catch (RuntimeException e) {
                c.done(0, null, e);
            }
        }
        long drain = (long) ((o.timeoutSec + 5) * 1e9);
        if (inFlight.tryAcquire(o.clients, drain, TimeUnit.NANOSECONDS)) {
            inFlight.release(o.clients);
        } else {
            int stuck = o.clients - inFlight.availablePermits();
            for (int k = 0; k < stuck; k++) {
                stats[0].recordError("no response before the end of the run (" + (o.timeoutSec + 5) + " s)");
            }
        }
        return System.nanoTime() - start;
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private void report(Stats[] stats, long elapsedNanos, long cpuNanos, Json extra, String note) {
        double sec = elapsedNanos / 1e9;
        int nproc = Runtime.getRuntime().availableProcessors();
        StringBuilder h = new StringBuilder();
        h.append(String.format("ketcd-bench %s: endpoints %s, conns %d, clients %d, key %d B, value %d B, key space %d%s%s%n",
                o.op, String.join(",", endpoints), o.conns, o.clients, o.keySize, o.valSize, o.keySpaceSize,
                o.sequentialKeys ? " (sequential)" : "", o.op.startsWith("range") || o.op.equals("mixed")
                        ? (o.serializable ? ", serializable" : ", linearizable") : ""));
        h.append(String.format("elapsed %.3f s%s%n", sec, o.rate > 0 ? String.format(", rate limit %.0f/s", o.rate) : ""));
        long ok = 0;
        long errs = 0;
        for (Stats s : stats) {
            h.append(s.human(sec));
            ok += s.ok.sum();
            errs += s.errorCount();
        }
        double cpuSec = cpuNanos / 1e9;
        double cpuPct = sec > 0.01 ? 100 * cpuSec / (sec * nproc) : 0;
        h.append(String.format("client CPU: %.2f s in %.2f s = %.0f%% of one core, %.0f%% of this machine's %d cores%n",
                cpuSec, sec, 100 * cpuSec / sec, cpuPct, nproc));
        if (!note.isEmpty()) {
            h.append("note: ").append(note).append('\n');
        }
        System.out.print(h);
        Json j = new Json().put("op", o.op).put("label", o.label).put("endpoints", String.join(",", endpoints))
                .put("conns", o.conns).put("clients", o.clients).put("key_size", o.keySize)
                .put("val_size", o.valSize).put("key_space_size", o.keySpaceSize)
                .put("serializable", o.serializable).put("rate", o.rate)
                .put("elapsed_s", Stats.round(sec)).put("ok", ok).put("errors", errs)
                .put("throughput", Stats.round(ok / sec))
                .put("client_cpu_s", Stats.round(cpuSec)).put("client_cpu_pct_of_machine", Stats.round(cpuPct))
                .put("nproc", nproc);
        Stats main = stats[0];
        if (stats.length == 1) {
            String js = main.json(sec);
            // flatten the single histogram's latency and error messages into the top level
            j.raw("stats", js);
        } else {
            Json per = new Json();
            for (Stats s : stats) {
                per.raw(s.name, s.json(sec));
            }
            j.raw("by_kind", per.toString());
            Stats all = new Stats("all");
            for (Stats s : stats) {
                all.hist.add(s.hist);
            }
            all.ok.add(ok);
            j.raw("stats", all.json(sec));
        }
        if (extra != null) {
            j.raw("watch", extra.toString());
        }
        if (!note.isEmpty()) {
            j.put("note", note);
        }
        System.out.println("RESULT " + j);
    }

    /**
     * One LeaseKeepAlive stream with --stream-depth requests outstanding at most (1: as one etcd benchmark client);
     * answers complete the requests in the order sent, as a member answers one lease's keep-alives.
     */
    private final class KeepAliveSlot implements StreamObserver<LeaseKeepAliveResponse> {
        private final LeaseGrpc.LeaseStub stub;
        private volatile StreamObserver<LeaseKeepAliveRequest> requests;
        private final ConcurrentLinkedQueue<Completion> pending = new ConcurrentLinkedQueue<>();

        KeepAliveSlot(LeaseGrpc.LeaseStub stub) {
            this.stub = stub;
        }

        synchronized void send(long id, Completion c) {
            if (requests == null) {
                requests = stub.leaseKeepAlive(this);
            }
            pending.add(c);
            requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
        }

        private void finish(Object r, Throwable t) {
            Completion c = pending.poll();
            if (c != null) {
                c.done(0, r, t);
            }
        }

        private void finishAll(Throwable t) {
            for (Completion c = pending.poll(); c != null; c = pending.poll()) {
                c.done(0, null, t);
            }
        }

        @Override
        public void onNext(LeaseKeepAliveResponse r) {
            finish(r, null);
        }

        @Override
        public void onError(Throwable t) {
            requests = null;
            finishAll(t);
        }

        @Override
        public void onCompleted() {
            requests = null;
            finishAll(new IllegalStateException("keep-alive stream closed by the server"));
        }

        void close() {
            StreamObserver<LeaseKeepAliveRequest> r = requests;
            if (r != null) {
                try {
                    r.onCompleted();
                } catch (RuntimeException ignored) {
                    // already failed
                }
            }
        }
    }

    // ------------------------------------------------------------------ watch

    /** A watch stream carrying several watchers; records (revision, arrival time) of every event. */
    private final class WatchStream implements StreamObserver<WatchResponse> {
        private final int watchers;
        private final CountDownLatch createdLatch;
        private final Stats errors;
        private StreamObserver<WatchRequest> requests;
        private int created;
        private boolean failed;
        long[] revs = new long[4096];
        long[] times = new long[4096];
        int n;

        WatchStream(int watchers, CountDownLatch createdLatch, Stats errors) {
            this.watchers = watchers;
            this.createdLatch = createdLatch;
            this.errors = errors;
        }

        void open(ManagedChannel ch, ByteString key) {
            requests = WatchGrpc.newStub(ch).watch(this);
            for (int i = 0; i < watchers; i++) {
                requests.onNext(WatchRequest.newBuilder()
                        .setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)).build());
            }
        }

        @Override
        public void onNext(WatchResponse r) {
            long t = System.nanoTime();
            synchronized (this) {
                if (r.getCreated() && created < watchers) {
                    created++;
                    createdLatch.countDown();
                }
                if (r.getCanceled()) {
                    errors.recordError("watch canceled: " + r.getCancelReason());
                }
                for (Event e : r.getEventsList()) {
                    if (n == revs.length) {
                        revs = Arrays.copyOf(revs, n * 2);
                        times = Arrays.copyOf(times, n * 2);
                    }
                    revs[n] = e.getKv().getModRevision();
                    times[n] = t;
                    n++;
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            errors.recordError("watch stream: " + Stats.message(t));
            synchronized (this) {
                failed = true;
                while (created < watchers) {
                    created++;
                    createdLatch.countDown();
                }
            }
        }

        @Override
        public void onCompleted() {
            onError(new IllegalStateException("watch stream closed by the server"));
        }

        synchronized int createdOk() {
            return failed ? 0 : created;
        }

        synchronized int events() {
            return n;
        }

        void close() {
            try {
                requests.onCompleted();
            } catch (RuntimeException ignored) {
                // already failed
            }
        }
    }

    private int runWatch() throws InterruptedException {
        ByteString watchKey = keys[0];
        int m = Math.max(1, Math.min(o.streams, o.watchers));
        long setupStart = System.nanoTime();
        long setupCpu = cpuNanos();
        Stats events = new Stats("watch-event (ms after put acknowledged)");
        Stats fromSend = new Stats("watch-event (ms after put sent)");
        Stats puts = new Stats("put");
        CountDownLatch latch = new CountDownLatch(o.watchers);
        WatchStream[] ws = new WatchStream[m];
        for (int i = 0; i < m; i++) {
            int w = o.watchers / m + (i < o.watchers % m ? 1 : 0);
            ws[i] = new WatchStream(w, latch, events);
            ws[i].open(channels[i % channels.length], watchKey);
        }
        boolean all = latch.await((long) (o.timeoutSec * 1000), TimeUnit.MILLISECONDS);
        int created = 0;
        for (WatchStream s : ws) {
            created += s.createdOk();
        }
        if (!all && created < o.watchers) {
            events.recordError("watchers not created within " + o.timeoutSec + " s: " + (o.watchers - created));
        }
        System.out.printf("watch: %d of %d watchers created on %d streams%n", created, o.watchers, m);
        double rate = o.rate > 0 ? o.rate : 100;
        Issue putWatched = (s, ch, c) -> kv(ch).put(
                PutRequest.newBuilder().setKey(watchKey).setValue(value).build(), unary(0, c));
        Map<Long, long[]> acks = new ConcurrentHashMap<>();
        long cpu0 = cpuNanos();
        long elapsed = 0;
        if (created > 0) {
            if (o.warmupSec > 0) {
                runPhase(Long.MAX_VALUE, o.warmupSec, rate, putWatched, new Stats[] {new Stats("warmup")}, null);
            }
            cpu0 = cpuNanos();
            elapsed = runPhase(o.total, o.durationSec, rate, putWatched, new Stats[] {puts},
                    (resp, t0, t1) -> acks.put(((PutResponse) resp).getHeader().getRevision(), new long[] {t0, t1}));
            // let the last events arrive: until the count is stable for 500 ms (at most 10 s)
            long until = System.nanoTime() + 10_000_000_000L;
            long last = -1;
            long stableSince = System.nanoTime();
            while (System.nanoTime() < until) {
                long cnt = 0;
                for (WatchStream s : ws) {
                    cnt += s.events();
                }
                if (cnt != last) {
                    last = cnt;
                    stableSince = System.nanoTime();
                } else if (System.nanoTime() - stableSince > 500_000_000L) {
                    break;
                }
                Thread.sleep(50);
            }
        } else {
            events.recordError("no watcher: put phase skipped");
            cpu0 = setupCpu;
            elapsed = System.nanoTime() - setupStart;
        }
        long cpu = cpuNanos() - cpu0;
        long matched = 0;
        long early = 0;
        for (WatchStream s : ws) {
            synchronized (s) {
                for (int i = 0; i < s.n; i++) {
                    long[] a = acks.get(s.revs[i]);
                    if (a == null) {
                        continue;
                    }
                    matched++;
                    long dAck = s.times[i] - a[1];
                    if (dAck < 0) {
                        early++;
                        dAck = 0;
                    }
                    events.recordOk(dAck / 1000);
                    fromSend.recordOk((s.times[i] - a[0]) / 1000);
                }
            }
            s.close();
        }
        long expected = (long) acks.size() * created;
        if (matched < expected) {
            events.recordError("watch events missing (expected puts x watchers)");
            events.errors.get("watch events missing (expected puts x watchers)").add(expected - matched - 1);
        }
        double sec = Math.max(elapsed, 1) / 1e9;
        Json extra = new Json().put("watchers", o.watchers).put("watchers_created", created).put("streams", m)
                .put("put_rate", rate).put("events_expected", expected).put("events_matched", matched)
                .put("events_before_ack", early)
                .raw("from_send", fromSend.json(sec)).raw("puts", puts.json(sec));
        report(new Stats[] {events}, Math.max(elapsed, 1), cpu, extra,
                early > 0 ? early + " events arrived before their put's acknowledgement (counted as 0 ms)" : "");
        System.out.print(fromSend.human(sec));
        System.out.print(puts.human(sec));
        return 0;
    }
}
