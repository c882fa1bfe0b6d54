package org.ketcd.camel.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.builder.RouteBuilder;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.camel.deploy.CamelRuntime;
import org.ketcd.server.LocalCluster;

/**
 * A ketcd: route to the real Mosquitto (127.0.0.1:1883, started if nothing answers there) through the pipelined
 * paho-mqtt5 producer, with several QoS 1 publishes in flight: what a subscriber sees in a burst, when the broker
 * connection breaks mid-window, and when the route stops mid-burst.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PipelinedMqttRouteTest {
    private static final int MQTT_PORT = 1883;
    private static final long WAIT_MS = 60_000;
    private static final Pattern REVISION = Pattern.compile(",\"revision\":(\\d+)");

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static EtcdServer server;
    static CamelRuntime camel;

    String run;
    MqttClient subscriber;
    /** Revisions in the order the subscriber got them (duplicates included). */
    final List<Long> received = new CopyOnWriteArrayList<>();
    final Set<String> markers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The most exchanges the route had in flight when one of them reached the MQTT step. */
    final AtomicInteger maxInFlight = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        ensureMosquitto();
        cluster = LocalCluster.start(dir.resolve("cluster"), 1, "camel-mqtt-test");
        cluster.awaitLeader();
        server = cluster.member(0).server();
        camel = CamelRuntime.start(server, "m0", 3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (camel != null) {
            camel.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void subscribe() throws Exception {
        run = "pipe-" + UUID.randomUUID().toString().substring(0, 8);
        subscriber = new MqttClient("tcp://127.0.0.1:" + MQTT_PORT, run + "-sub", new MemoryPersistence());
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                record(topic, message);
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
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
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setReceiveMaximum(65_535);
        subscriber.connect(options);
        // QoS 1 with a large receive window: the broker neither drops nor holds back what the route published
        subscriber.subscribe(run + "/#", 1); // (Paho 1.2.5's subscribe with a listener recurses until the stack overflows)
    }

    @AfterEach
    void unsubscribe() throws Exception {
        if (subscriber != null) {
            subscriber.disconnect();
            subscriber.close();
        }
    }

    @Test
    void aBurstArrivesOnceEachInRevisionOrderWithPublishesInFlightSideBySide() throws Exception {
        route("burst", "tcp://127.0.0.1:" + MQTT_PORT, "");
        List<Long> revisions = putBurst("burst", 1000);
        awaitAll(revisions);
        assertEquals(revisions, received, "each revision once, in revision order");
        assertTrue(maxInFlight.get() > 1, "the route never had two publishes in flight (max " + maxInFlight + ")");
        removeRoute("burst");
    }

    @Test
    void aBrokerConnectionCutMidWindowLosesNothingAndKeepsFirstDeliveriesInOrder() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(MQTT_PORT)) {
            route("cut", proxy.url(), "&checkpointIntervalMs=0");
            CompletableFuture<List<Long>> burst = CompletableFuture.supplyAsync(() -> putBurst("cut", 1500));
            await(() -> received.size() >= 200, "the first 200 events");
            proxy.cut();
            int seenAtCut = received.size();
            await(() -> proxy.refused() > 0, "the route's client to try to reconnect while the broker is away");
            // nothing reaches the broker now: whatever the checkpoint names must have arrived before the cut
            long checkpoint = checkpoint("cut");
            assertTrue(checkpoint > 0, "no checkpoint written");
            List<Long> revisions = burst.get(WAIT_MS, TimeUnit.MILLISECONDS);
            List<Long> upToCheckpoint = revisions.stream().filter(r -> r <= checkpoint).toList();
            await(() -> received.containsAll(upToCheckpoint), "every revision up to the checkpoint " + checkpoint);
            assertTrue(seenAtCut < revisions.size(), "the burst was over before the cut; the test proved nothing");
            proxy.restore();

            awaitAll(revisions);
            assertEquals(revisions, firstDeliveries(), "first deliveries in revision order, none missing");
            assertEquals(revisions, lastDeliveries(), "the last copy of each revision in revision order");
            assertTrue(maxInFlight.get() > 1, "the route never had two publishes in flight (max " + maxInFlight + ")");
            assertEquals(revisions.get(revisions.size() - 1), awaitCheckpoint("cut", revisions.get(revisions.size() - 1)));
            removeRoute("cut");
        }
    }

    @Test
    void stoppingMidBurstCompletesThePublishesInFlightAndCheckpointsThem() throws Exception {
        route("stop", "tcp://127.0.0.1:" + MQTT_PORT, "");
        CompletableFuture<List<Long>> burst = CompletableFuture.supplyAsync(() -> putBurst("stop", 1500));
        await(() -> received.size() >= 300, "the first 300 events");
        camel.context().getRouteController().stopRoute("stop");
        assertEquals(0, camel.context().getInflightRepository().size("stop"), "exchanges left in flight after the stop");
        long checkpoint = checkpoint("stop");
        barrier();
        List<Long> revisions = burst.get(WAIT_MS, TimeUnit.MILLISECONDS);
        List<Long> upToCheckpoint = revisions.stream().filter(r -> r <= checkpoint).toList();
        assertEquals(upToCheckpoint, List.copyOf(new TreeSet<>(received)),
                "what the broker acknowledged before the stop is exactly what the checkpoint names");
        assertTrue(upToCheckpoint.size() < revisions.size(), "the burst was over before the stop; the test proved nothing");

        camel.context().getRouteController().startRoute("stop");
        awaitAll(revisions);
        assertEquals(revisions, firstDeliveries(), "the restarted route went on after the checkpoint");
        assertEquals(revisions, received, "and sent nothing twice");
        removeRoute("stop");
    }

    /** ketcd:/<run>/<name>/ to paho-mqtt5 at {@code brokerUrl}, topic <run>/<key>, QoS 1, 16 in flight. */
    void route(String name, String brokerUrl, String options) throws Exception {
        String topicRoot = run;
        camel.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ketcd:/" + run + "/" + name + "/?prefix=true&envelope=json&charset=UTF-8&maxInFlight=16" + options)
                        .routeId(name)
                        .process(e -> maxInFlight.accumulateAndGet(
                                e.getContext().getInflightRepository().size(name), Math::max))
                        .setHeader("CamelPahoMqtt5OverrideTopic", simple(topicRoot + "${header.KetcdKey}"))
                        .to("paho-mqtt5:ignored?qos=1&brokerUrl=" + brokerUrl + "&clientId=" + run + "-" + name);
            }
        });
    }

    static void removeRoute(String id) throws Exception {
        camel.context().getRouteController().stopRoute(id);
        camel.context().removeRoute(id);
    }

    /** {@code n} puts sent at once (many in flight); their revisions in order. */
    List<Long> putBurst(String name, int n) {
        List<CompletableFuture<Long>> puts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            puts.add(server.put(PutRequest.of(Bytes.utf8("/" + run + "/" + name + "/k" + (i % 100)), Bytes.utf8("v" + i)))
                    .thenApply(r -> r.revision()));
        }
        return puts.stream().map(CompletableFuture::join).sorted().toList();
    }

    long checkpoint(String routeId) throws Exception {
        RangeResponse r = server.range(RangeRequest.of(Bytes.utf8("__ketcd/camel/checkpoints/" + routeId), Bytes.EMPTY))
                .get(10, TimeUnit.SECONDS);
        return r.kvs().isEmpty() ? 0 : Long.parseLong(new String(r.kvs().get(0).value(), StandardCharsets.US_ASCII));
    }

    long awaitCheckpoint(String routeId, long atLeast) throws Exception {
        await(() -> {
            try {
                return checkpoint(routeId) >= atLeast;
            } catch (Exception e) {
                return false;
            }
        }, "checkpoint " + atLeast);
        return checkpoint(routeId);
    }

    /**
     * Publishes a marker from the subscriber's own session and waits for it: Mosquitto queues a QoS 1 message to
     * its subscribers before it acknowledges it, so every message acknowledged before has arrived by then.
     */
    void barrier() throws Exception {
        String marker = UUID.randomUUID().toString();
        subscriber.publish(run + "/marker", marker.getBytes(StandardCharsets.UTF_8), 1, false);
        await(() -> markers.contains(marker), "the marker");
    }

    List<Long> firstDeliveries() {
        return List.copyOf(new LinkedHashSet<>(received));
    }

    List<Long> lastDeliveries() {
        List<Long> reversed = new ArrayList<>(received);
        java.util.Collections.reverse(reversed);
        List<Long> last = new ArrayList<>(new LinkedHashSet<>(reversed));
        java.util.Collections.reverse(last);
        return last;
    }

    void awaitAll(List<Long> revisions) throws InterruptedException {
        await(() -> received.containsAll(revisions), "all " + revisions.size() + " revisions");
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT_MS + " ms for " + what);
            }
            Thread.sleep(20); // polling a condition, bounded by the deadline
        }
    }

    /** Mosquitto on 127.0.0.1:1883: the one already running, else the system's configuration started as a daemon. */
    static void ensureMosquitto() throws Exception {
        if (accepts()) {
            return;
        }
        Process p = new ProcessBuilder("mosquitto", "-d", "-c", "/etc/mosquitto/mosquitto.conf").inheritIO().start();
        p.waitFor(30, TimeUnit.SECONDS);
        await(PipelinedMqttRouteTest::accepts, "Mosquitto on 127.0.0.1:" + MQTT_PORT);
    }

    static boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", MQTT_PORT), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Records what the subscriber gets: revisions of events, and markers. */
    private void record(String topic, MqttMessage message) {
        String body = new String(message.getPayload(), StandardCharsets.UTF_8);
        if (topic.endsWith("/marker")) {
            markers.add(body);
            return;
        }
        Matcher m = REVISION.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no revision in " + body);
        }
        received.add(Long.parseLong(m.group(1)));
    }
}
