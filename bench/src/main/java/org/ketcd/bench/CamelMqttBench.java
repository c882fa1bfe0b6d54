package org.ketcd.bench;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * {@code camel-mqtt}: how fast changes under a prefix reach a real MQTT subscriber, whatever carries them there
 * (Ketcd's Camel route, or {@code mqtt-bridge} next to real etcd). One Paho subscriber (QoS 0) on
 * {@code <topic-root>/#} in this JVM stamps each message's arrival; the puts' acknowledgements are stamped
 * by the same clock, and messages are matched to puts by the envelope's {@code revision}.
 * <ol>
 * <li>probe: puts {@code <prefix>probe} until its message arrives (the route or bridge delivers);</li>
 * <li>latency: 1 client at {@code --rate} puts/s, {@code --warmup} s unrecorded then {@code --duration} s;
 *     delivery latency = put acknowledged -> message arrived (p50/p99/max), after every message arrived;</li>
 * <li>throughput: {@code --clients} puts in flight as fast as possible for {@code --duration} s; messages/s
 *     arriving in that window, puts/s acknowledged in it, and the lag at the end (last put acknowledged ->
 *     last message arrived), waiting at most {@code --drain} s for it.</li>
 * </ol>
 */
final class CamelMqttBench {
    private final Options o;
    private final LoadGenerator g;
    private final int keySpace = 1000;
    private final ByteString[] keys = new ByteString[keySpace];

    // arrivals, appended by Paho's callback thread
    private long[] revs = new long[1 << 16];
    private long[] times = new long[1 << 16];
    private int n;
    private long malformed;

    CamelMqttBench(Options o, LoadGenerator g) {
        this.o = o;
        this.g = g;
        for (int i = 0; i < keySpace; i++) {
            keys[i] = ByteString.copyFromUtf8(o.prefix + "k" + String.format("%08d", i));
        }
    }

    private synchronized void arrived(long rev, long t) {
        if (n == revs.length) {
            revs = Arrays.copyOf(revs, n * 2);
            times = Arrays.copyOf(times, n * 2);
        }
        revs[n] = rev;
        times[n] = t;
        n++;
    }

    private synchronized int count() {
        return n;
    }

    /** The revision in an envelope, or -1. */
    static long revisionOf(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        int i = s.indexOf("\"revision\":");
        if (i < 0) {
            return -1;
        }
        i += 11;
        long r = 0;
        int j = i;
        while (j < s.length() && Character.isDigit(s.charAt(j))) {
            r = r * 10 + (s.charAt(j++) - '0');
        }
        return j == i ? -1 : r;
    }

    private MqttClient subscribe() throws MqttException {
        MqttClient c = new MqttClient(o.broker, "ketcd-bench-sub-" + UUID.randomUUID().toString().substring(0, 8),
                new MemoryPersistence());
        // a callback, not subscribe(topic, qos, listener): that overload of Paho 1.2.5 recurses forever
        c.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                long t = System.nanoTime();
                long rev = revisionOf(message.getPayload());
                if (rev < 0) {
                    synchronized (CamelMqttBench.this) {
                        malformed++;
                    }
                } else {
                    arrived(rev, t);
                }
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
                System.err.println("camel-mqtt: subscriber disconnected: " + response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                System.err.println("camel-mqtt: subscriber error: " + exception);
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        MqttConnectionOptions opts = new MqttConnectionOptions();
        opts.setCleanStart(true);
        c.connect(opts);
        // QoS 0 for the subscription (the route and the bridge publish with QoS 1): with QoS 1 Mosquitto keeps at
        // most 20 messages in flight to this subscriber and drops what its queue of 1000 cannot hold ("Outgoing
        // messages are being dropped"), so the measuring subscriber would be the bottleneck and lose messages
        c.subscribe(o.topicRoot + "/#", 0);
        System.out.println("camel-mqtt: subscriber " + c.getClientId() + " on " + o.topicRoot + "/#");
        return c;
    }

    int run() throws Exception {
        if (o.topicRoot.isEmpty()) {
            System.err.println("camel-mqtt: --topic-root is required");
            return 2;
        }
        MqttClient sub = subscribe();
        try {
            return measure();
        } finally {
            try {
                sub.disconnect();
                sub.close();
            } catch (MqttException ignored) {
                // closing
            }
        }
    }

    private LoadGenerator.Issue putIssue(boolean oneChannel) {
        return (s, ch, c) -> g.kv(oneChannel ? 0 : ch).put(
                PutRequest.newBuilder().setKey(keys[(int) (s % keySpace)]).setValue(g.value).build(), g.unary(0, c));
    }

    private int measure() throws Exception {
        // 1. probe until delivered
        long probeStart = System.nanoTime();
        long probeDeadline = probeStart + (long) (o.probeTimeoutSec * 1e9);
        var kv = io.etcd.jetcd.api.KVGrpc.newBlockingStub(g.channels[0]);
        ByteString probeKey = ByteString.copyFromUtf8(o.prefix + "probe");
        boolean delivered = false;
        int probes = 0;
        String lastErr = "";
        while (!delivered && System.nanoTime() < probeDeadline) {
            try {
                long rev = kv.withDeadlineAfter(5, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey(probeKey)
                        .setValue(ByteString.copyFromUtf8("probe")).build()).getHeader().getRevision();
                probes++;
                long until = System.nanoTime() + 1_000_000_000L;
                while (!delivered && System.nanoTime() < until) {
                    delivered = arrivedRevision(rev) >= 0;
                    Thread.sleep(20);
                }
            } catch (RuntimeException e) {
                lastErr = Stats.message(e);
                Thread.sleep(200);
            }
        }
        double probeSec = (System.nanoTime() - probeStart) / 1e9;
        if (!delivered) {
            System.out.printf("camel-mqtt: no probe message arrived within %.0f s (%d probes; %s)%n",
                    o.probeTimeoutSec, probes, lastErr);
            System.out.println("RESULT " + new Json().put("op", "camel-mqtt").put("label", o.label)
                    .put("error", "no probe message arrived within " + o.probeTimeoutSec + " s"));
            return 1;
        }
        System.out.printf("camel-mqtt: first probe message after %.1f s (%d probes)%n", probeSec, probes);

        // 2. latency: 1 client at --rate
        double rate = o.rate > 0 ? o.rate : 100;
        int throughputClients = o.clients;
        g.setClients(1);
        if (o.warmupSec > 0) {
            g.runPhase(Long.MAX_VALUE, o.warmupSec, rate, putIssue(true), new Stats[] {new Stats("warmup")}, null);
        }
        ConcurrentHashMap<Long, Long> acks = new ConcurrentHashMap<>();
        ConcurrentHashMap<Long, Long> sent = new ConcurrentHashMap<>();
        Stats puts = new Stats("put (1 client)");
        g.runPhase(Long.MAX_VALUE, o.durationSec, rate, putIssue(true), new Stats[] {puts}, (resp, t0, t1) -> {
            long rev = ((PutResponse) resp).getHeader().getRevision();
            acks.put(rev, t1);
            sent.put(rev, t0);
        });
        long[] lastArrival = awaitAll(acks, o.drainSec);
        Stats lat = new Stats("delivery (ms after put acknowledged)");
        Stats fromSend = new Stats("delivery (ms after put sent)");
        long matched = 0;
        long early = 0;
        long dups = 0;
        java.util.HashSet<Long> seen = new java.util.HashSet<>();
        synchronized (this) {
            for (int i = 0; i < n; i++) {
                Long a = acks.get(revs[i]);
                if (a == null) {
                    continue;
                }
                if (!seen.add(revs[i])) {
                    dups++;
                    continue;
                }
                matched++;
                long d = times[i] - a;
                if (d < 0) {
                    early++;
                    d = 0;
                }
                lat.recordOk(d / 1000);
                fromSend.recordOk((times[i] - sent.get(revs[i])) / 1000);
            }
        }
        double latSec = Math.max(o.durationSec, 0.001);
        System.out.printf("latency case: %d puts acknowledged at %.0f/s, %d messages matched, %d missing, %d duplicates%n",
                acks.size(), rate, matched, acks.size() - matched, dups);
        System.out.print(puts.human(latSec));
        System.out.print(lat.human(latSec));
        System.out.print(fromSend.human(latSec));
        Json latency = new Json().put("rate", rate).put("puts_acked", acks.size()).put("put_errors", puts.errorCount())
                .put("messages_matched", matched).put("missing", acks.size() - matched).put("duplicates", dups)
                .put("arrived_before_ack", early)
                .raw("delivery", lat.json(latSec)).raw("from_send", fromSend.json(latSec)).raw("puts", puts.json(latSec));

        // 3. throughput: --clients in flight as fast as possible
        acks.clear();
        g.setClients(throughputClients);
        int arrivedBefore = count();
        Stats tputs = new Stats("put (" + throughputClients + " in flight)");
        long cpu0 = cpuNanos();
        long start = System.nanoTime();
        long elapsed = g.runPhase(Long.MAX_VALUE, o.durationSec, 0, putIssue(false), new Stats[] {tputs},
                (resp, t0, t1) -> acks.put(((PutResponse) resp).getHeader().getRevision(), t1));
        long end = start + elapsed;
        long lastAck = acks.values().stream().mapToLong(Long::longValue).max().orElse(end);
        long[] tail = awaitAll(acks, o.drainSec);
        long cpu = cpuNanos() - cpu0;
        long inWindow = 0;
        long matchedAll = 0;
        long tdups = 0;
        seen.clear();
        long firstArrival = Long.MAX_VALUE;
        synchronized (this) {
            for (int i = arrivedBefore; i < n; i++) {
                if (!acks.containsKey(revs[i])) {
                    continue;
                }
                if (!seen.add(revs[i])) {
                    tdups++;
                    continue;
                }
                matchedAll++;
                firstArrival = Math.min(firstArrival, times[i]);
                if (times[i] <= end) {
                    inWindow++;
                }
            }
        }
        double win = elapsed / 1e9;
        long missing = acks.size() - matchedAll;
        double lagSec = missing == 0 ? (tail[0] - lastAck) / 1e9 : Double.NaN;
        double drainedFor = (tail[1] - end) / 1e9;
        double overall = matchedAll > 0 && tail[0] > start ? matchedAll / ((tail[0] - start) / 1e9) : 0;
        System.out.printf("throughput case: %d in flight, %.1f s: %d puts acknowledged = %.0f puts/s; %d messages arrived"
                + " in the window = %.0f msgs/s; all %d messages: %s%n", throughputClients, win, acks.size(),
                acks.size() / win, inWindow, inWindow / win, acks.size(),
                missing == 0 ? String.format("last arrived %.2f s after the last put's ack (%.0f msgs/s from the first put to the last message)", lagSec, overall)
                        : String.format("%d still missing %.0f s after the window (%.0f msgs/s from the first put)", missing, drainedFor, overall));
        System.out.print(tputs.human(win));
        Json throughput = new Json().put("clients", throughputClients).put("window_s", Stats.round(win))
                .put("puts_acked", acks.size()).put("puts_per_s", Stats.round(acks.size() / win))
                .put("put_errors", tputs.errorCount())
                .put("messages_in_window", inWindow).put("messages_per_s", Stats.round(inWindow / win))
                .put("messages_matched", matchedAll).put("missing", missing).put("duplicates", tdups)
                .put("lag_s", Stats.round(lagSec)).put("waited_after_window_s", Stats.round(drainedFor))
                .put("messages_per_s_overall", Stats.round(overall))
                .put("client_cpu_s", Stats.round(cpu / 1e9))
                .raw("puts", tputs.json(win));
        long bad;
        synchronized (this) {
            bad = malformed;
        }
        System.out.println("RESULT " + new Json().put("op", "camel-mqtt").put("label", o.label)
                .put("endpoints", String.join(",", o.endpoints)).put("topic_root", o.topicRoot)
                .put("val_size", o.valSize).put("probe_s", Stats.round(probeSec)).put("malformed", bad)
                .raw("latency", latency.toString()).raw("throughput", throughput.toString()));
        return 0;
    }

    /** Index of the first arrival of {@code rev}, or -1. */
    private synchronized int arrivedRevision(long rev) {
        for (int i = n - 1; i >= 0; i--) {
            if (revs[i] == rev) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Waits until a message of every revision in {@code acks} arrived, or no new message arrived for 10 s, or
     * {@code maxSec} passed; returns {arrival time of the last matched message, time it stopped waiting}.
     */
    private long[] awaitAll(ConcurrentHashMap<Long, Long> acks, double maxSec) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (maxSec * 1e9);
        java.util.HashSet<Long> missing = new java.util.HashSet<>(acks.keySet());
        int scanned = 0;
        long last = 0;
        long lastProgress = System.nanoTime();
        while (true) {
            synchronized (this) {
                for (; scanned < n; scanned++) {
                    if (missing.remove(revs[scanned])) {
                        last = Math.max(last, times[scanned]);
                        lastProgress = System.nanoTime();
                    }
                }
            }
            long now = System.nanoTime();
            if (missing.isEmpty() || now > deadline || now - lastProgress > 10_000_000_000L) {
                return new long[] {last, now};
            }
            Thread.sleep(20);
        }
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
}
