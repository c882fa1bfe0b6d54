package org.ketcd.bench;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * The usual way to get etcd's changes onto MQTT without Ketcd: an external process with one gRPC watch
 * stream on the prefix and one Paho MQTT 5 client, publishing every event synchronously (QoS 1: each publish
 * waits for the broker's PUBACK), one after the other in revision order, as the JSON envelope of Ketcd's
 * {@code envelope=json} route, on {@code <topic-root>/<member-name><key>}. The watch stream's callbacks
 * only queue the events; one publisher thread sends them. A publish refused by Paho 1.2.5's in-flight check
 * ("Too many publishes in progress", a race of its own: see below) is retried after 0.2 ms. Runs until killed; prints {@code BRIDGE READY}
 * once the watch is created and the MQTT client connected.
 */
final class MqttBridge {
    private final Options o;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile long inflightRetries;

    MqttBridge(Options o) {
        this.o = o;
    }

    int run() throws Exception {
        if (o.topicRoot.isEmpty()) {
            System.err.println("mqtt-bridge: --topic-root is required");
            return 2;
        }
        MqttClient mqtt = new MqttClient(o.broker, "ketcd-bench-bridge-" + UUID.randomUUID().toString().substring(0, 8),
                new MemoryPersistence());
        MqttConnectionOptions opts = new MqttConnectionOptions();
        opts.setCleanStart(true);
        mqtt.connect(opts);
        ManagedChannel ch = LoadGenerator.channel(o.endpoints.get(0));
        CountDownLatch created = new CountDownLatch(1);
        ByteString prefix = ByteString.copyFromUtf8(o.prefix);
        StreamObserver<WatchRequest> requests = WatchGrpc.newStub(ch).watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                if (r.getCreated()) {
                    created.countDown();
                }
                if (r.getCanceled()) {
                    queue.add(new IllegalStateException("watch canceled: " + r.getCancelReason()));
                }
                if (r.getEventsCount() > 0) {
                    queue.add(r.getEventsList());
                }
            }

            @Override
            public void onError(Throwable t) {
                queue.add(t);
            }

            @Override
            public void onCompleted() {
                queue.add(new IllegalStateException("watch stream closed by the server"));
            }
        });
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                .setKey(prefix).setRangeEnd(prefixEnd(prefix))).build());
        if (!created.await(30, TimeUnit.SECONDS)) {
            System.err.println("mqtt-bridge: watch not created within 30 s");
            return 1;
        }
        System.out.println("BRIDGE READY");
        System.out.flush();
        long published = 0;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("BRIDGE STOPPED "
                + inflightRetries + " publishes retried after \"Too many publishes in progress\"")));
        while (true) {
            Object item = queue.take();
            if (item instanceof Throwable t) {
                System.err.println("mqtt-bridge: " + Stats.message(t) + " after " + published + " events");
                return 1;
            }
            @SuppressWarnings("unchecked")
            List<Event> events = (List<Event>) item;
            for (int i = 0; i < events.size(); i++) {
                Event e = events.get(i);
                KeyValue kv = e.getKv();
                boolean last = i == events.size() - 1
                        || events.get(i + 1).getKv().getModRevision() != kv.getModRevision();
                String key = kv.getKey().toString(StandardCharsets.UTF_8);
                MqttMessage m = new MqttMessage(envelope(e, key, last).getBytes(StandardCharsets.UTF_8));
                m.setQos(1);
                String topic = o.topicRoot + "/" + o.memberName + key;
                while (true) {
                    try {
                        mqtt.publish(topic, m); // blocks until the PUBACK
                        break;
                    } catch (MqttException ex) {
                        if (ex.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                            throw ex;
                        }
                        // Paho 1.2.5 (MQTT 5) wakes a synchronous publish at the PUBACK but frees its in-flight
                        // slot later, on its callback thread: publishing back to back can find the broker's
                        // Receive Maximum (Mosquitto: 20) "full" of slots not freed yet. Wait for them.
                        inflightRetries++;
                        Thread.sleep(0, 200_000);
                    }
                }
                published++;
            }
        }
    }

    /** The fields of Ketcd's {@code envelope=json}, in its order, for a text value. */
    static String envelope(Event e, String key, boolean lastInTransaction) {
        KeyValue kv = e.getKv();
        boolean put = e.getType() == Event.EventType.PUT;
        StringBuilder b = new StringBuilder(160 + kv.getValue().size());
        b.append("{\"key\":");
        Json.quote(b, key);
        b.append(",\"type\":\"").append(put ? "PUT" : "DELETE").append('"')
                .append(",\"revision\":").append(kv.getModRevision())
                .append(",\"createRevision\":").append(kv.getCreateRevision())
                .append(",\"modRevision\":").append(kv.getModRevision())
                .append(",\"version\":").append(kv.getVersion())
                .append(",\"lease\":").append(kv.getLease())
                .append(",\"lastInTransaction\":").append(lastInTransaction)
                .append(",\"resync\":false");
        if (put) {
            b.append(",\"value\":");
            Json.quote(b, kv.getValue().toString(StandardCharsets.UTF_8));
        }
        return b.append('}').toString();
    }

    /** etcd's range end of a prefix: the prefix with its last byte below 0xff incremented. */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] b = prefix.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if ((b[i] & 0xff) != 0xff) {
                b[i]++;
                return ByteString.copyFrom(b, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }
}
