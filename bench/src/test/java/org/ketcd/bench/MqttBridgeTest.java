package org.ketcd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bridge's envelope has the fields of Ketcd's {@code envelope=json}; the subscriber reads its revision. */
class MqttBridgeTest {
    @Test
    void envelopeAsKetcdsRouteWritesIt() {
        Event e = Event.newBuilder().setType(Event.EventType.PUT).setKv(KeyValue.newBuilder()
                .setKey(ByteString.copyFromUtf8("/config/payments/a")).setValue(ByteString.copyFromUtf8("v\"1"))
                .setCreateRevision(5).setModRevision(7).setVersion(2)).build();
        String json = MqttBridge.envelope(e, "/config/payments/a", true);
        assertEquals("{\"key\":\"/config/payments/a\",\"type\":\"PUT\",\"revision\":7,\"createRevision\":5,"
                + "\"modRevision\":7,\"version\":2,\"lease\":0,\"lastInTransaction\":true,\"resync\":false,"
                + "\"value\":\"v\\\"1\"}", json);
        assertEquals(7, CamelMqttBench.revisionOf(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(-1, CamelMqttBench.revisionOf("{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void prefixEnd() {
        assertEquals("/config/payments0", MqttBridge.prefixEnd(ByteString.copyFromUtf8("/config/payments/"))
                .toString(StandardCharsets.UTF_8));
    }
}
