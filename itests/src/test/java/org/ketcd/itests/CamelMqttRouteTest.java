package org.ketcd.itests;

import static org.junit.Assert.assertEquals;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExamServer;

/**
 * Karaf with the features ketcd-server, ketcd-camel and ketcd-camel-mqtt: a route file dropped into the
 * running container's deploy folder sends every change under a prefix to the real Mosquitto on loopback,
 * and a real MQTT subscriber in this JVM receives all of 1,000 puts and deletes, in revision order, each
 * with its key, event type, revisions, version and value.
 */
public class CamelMqttRouteTest {
    static final KarafMember MEMBER = new KarafMember();
    static final Path DEPLOY = deployFolder();
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String TOPIC_ROOT = "ketcd-itest/" + RUN;
    static final Pattern EVENT = Pattern.compile(
            "\"key\":\"([^\"]*)\",\"type\":\"(PUT|DELETE)\",\"revision\":(\\d+),\"createRevision\":(\\d+),"
            + "\"modRevision\":(\\d+),\"version\":(\\d+),\"lease\":0,\"lastInTransaction\":true,\"resync\":false(,\"value\":\"([^\"]*)\")?}");

    @ClassRule
    public static final PaxExamServer EXAM = new PaxExamServer(CamelMqttRouteTest.class);

    @Configuration
    public Option[] config() throws IOException {
        String version = MEMBER.version;
        return MEMBER.options("camel-mqtt",
                features(maven().groupId("org.ketcd").artifactId("ketcd-features").version(version).classifier("features").type("xml"),
                        "ketcd-camel-mqtt"),
                // Karaf's deploy folder, where this test drops the route file while Karaf runs
                editConfigurationFilePut("etc/org.apache.felix.fileinstall-deploy.cfg", "felix.fileinstall.dir", DEPLOY.toString()));
    }

    /** An event as the subscriber sees it; a put of a new key has create = mod = its revision and version 1. */
    record Seen(String key, String type, long revision, long createRevision, long modRevision, long version, String value) {
        static Seen put(String key, long revision, String value) {
            return new Seen(key, "PUT", revision, revision, revision, 1, value);
        }

        static Seen delete(String key, long revision) {
            return new Seen(key, "DELETE", revision, 0, revision, 0, null);
        }
    }

    @Test
    public void everyPutAndDeleteUnderThePrefixReachesAnMqttSubscriberInRevisionOrder() throws Exception {
        LocalBroker.ensureMosquitto();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient subscriber = new MqttClient("tcp://127.0.0.1:1883", "itest-sub-" + RUN, new MemoryPersistence());
        try (Client client = Client.builder().endpoints(MEMBER.clientUrl).build()) {
            MqttConnectionOptions connect = new MqttConnectionOptions();
            connect.setCleanStart(true);
            // a callback, not subscribe(topic, qos, listener): that overload of Paho 1.2.5 recurses forever
            subscriber.setCallback(new MqttCallback() {
                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
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
            subscriber.connect(connect);
            subscriber.subscribe(TOPIC_ROOT + "/#", 1);
            KV kv = client.getKVClient();
            KarafMember.awaitServing(kv, MEMBER.clientUrl);

            Files.writeString(DEPLOY.resolve("payments-to-mqtt.camel.yaml"), """
                    - route:
                        id: payments-to-mqtt
                        from:
                          uri: "ketcd:/config/payments/?prefix=true&envelope=json&charset=UTF-8"
                          steps:
                            - setHeader:
                                name: CamelPahoMqtt5OverrideTopic
                                simple: "%s${header.KetcdKey}"
                            - to: "paho-mqtt5:ketcd?brokerUrl=tcp://127.0.0.1:1883&qos=1&clientId=ketcd-itest-%s"
                    """.formatted(TOPIC_ROOT, RUN));
            awaitRouteDelivers(kv, received);

            List<Seen> expected = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                if (i % 4 == 3) {
                    String key = "/config/payments/k" + (i - 1);
                    long revision = kv.delete(bytes(key)).get(30, TimeUnit.SECONDS).getHeader().getRevision();
                    expected.add(Seen.delete(key, revision));
                } else {
                    String key = "/config/payments/k" + i;
                    long revision = kv.put(bytes(key), bytes("value-" + i)).get(30, TimeUnit.SECONDS).getHeader().getRevision();
                    expected.add(Seen.put(key, revision, "value-" + i));
                }
            }
            List<Seen> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (seen.size() < expected.size() && System.nanoTime() < deadline) {
                String message = received.poll(1, TimeUnit.SECONDS);
                if (message == null) {
                    continue;
                }
                Matcher m = EVENT.matcher(message);
                if (!m.find()) {
                    throw new AssertionError("not an event envelope: " + message);
                }
                Seen s = new Seen(m.group(1), m.group(2), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                        Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), m.group(8));
                if (s.key().endsWith("/probe")) {
                    continue; // the probes that showed the route had started
                }
                if (!message.startsWith(TOPIC_ROOT + s.key() + " ")) {
                    throw new AssertionError("event of " + s.key() + " on the wrong topic: " + message);
                }
                seen.add(s);
            }
            assertEquals(expected, seen);
            // the member's /metrics reports the route (the Camel bundle's DeployedRoutes service, bound by the REST bundle)
            String metrics = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(MEMBER.clientUrl + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            Matcher delivered = Pattern.compile("camel_exchanges_succeeded_total\\{camelContext=\"ketcd\",routeId=\"payments-to-mqtt\",} (\\S+)")
                    .matcher(metrics);
            if (!delivered.find() || Double.parseDouble(delivered.group(1)) < expected.size()) {
                throw new AssertionError("/metrics does not count the route's " + expected.size() + " exchanges:\n" + metrics);
            }
        } finally {
            if (subscriber.isConnected()) {
                subscriber.disconnect();
            }
            subscriber.close();
        }
    }

    /** The route starts when FileInstall sees the file: probe until an event of it arrives. */
    private static void awaitRouteDelivers(KV kv, BlockingQueue<String> received) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            kv.put(bytes("/config/payments/probe"), bytes("p")).get(30, TimeUnit.SECONDS);
            String message = received.poll(1, TimeUnit.SECONDS);
            if (message != null) {
                received.clear();
                Thread.sleep(500);
                received.clear();
                return;
            }
        }
        throw new AssertionError("the route file in " + DEPLOY + " delivered nothing within 120 s (see the container's karaf.log)");
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static Path deployFolder() {
        try {
            Path target = Path.of(System.getProperty("ketcd.itest.dir", "target")).toAbsolutePath();
            return Files.createTempDirectory(Files.createDirectories(target.resolve("itest-data")), "deploy-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
