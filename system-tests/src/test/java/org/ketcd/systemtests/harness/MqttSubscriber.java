package org.ketcd.systemtests.harness;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * A real MQTT 5 subscriber (Eclipse Paho) on the loopback Mosquitto, collecting the watch events a Ketcd
 * route publishes with {@code envelope=json}: each as its topic, key, type and revision, in arrival order.
 */
public final class MqttSubscriber implements AutoCloseable {
    /** One received event. */
    public record Received(String topic, String key, String type, long revision, long receivedNanos) {
    }

    private static final Pattern EVENT = Pattern.compile("\"key\":\"([^\"]*)\",\"type\":\"(PUT|DELETE)\",\"revision\":(\\d+)");

    private final MqttClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> malformed = new CopyOnWriteArrayList<>();

    private MqttSubscriber(String topicFilter) throws MqttException {
        client = new MqttClient("tcp://" + Brokers.HOST + ":" + Brokers.MQTT_PORT, "st-sub-" + UUID.randomUUID(),
                new MemoryPersistence());
        // a callback, not subscribe(topic, qos, listener): that overload of Paho 1.2.5 recurses forever
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                long now = System.nanoTime();
                String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
                Matcher m = EVENT.matcher(payload);
                if (m.find()) {
                    received.add(new Received(topic, m.group(1), m.group(2), Long.parseLong(m.group(3)), now));
                } else {
                    malformed.add(topic + " " + payload);
                }
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
        client.connect(options);
        client.subscribe(topicFilter, 1);
    }

    /** Subscribes (QoS 1) to {@code topicFilter}, e.g. {@code run/#}. */
    public static MqttSubscriber subscribe(String topicFilter) {
        Brokers.ensureMosquitto();
        try {
            return new MqttSubscriber(topicFilter);
        } catch (MqttException e) {
            throw new AssertionError("cannot subscribe to " + topicFilter + " on Mosquitto: " + e, e);
        }
    }

    /** Everything received so far, in arrival order. */
    public List<Received> received() {
        if (!malformed.isEmpty()) {
            throw new AssertionError("messages that are no event envelope: " + malformed);
        }
        return new ArrayList<>(received);
    }

    /** Waits (bounded) until an event of {@code key} arrives after {@code since} received events. */
    public boolean awaitKey(String key, int since, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            List<Received> r = received();
            for (int i = since; i < r.size(); i++) {
                if (r.get(i).key().equals(key)) {
                    return true;
                }
            }
            Member.sleep(50);
        }
        return false;
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        } catch (MqttException e) {
            System.err.println("[system-tests] MQTT subscriber close: " + e);
        }
    }
}
