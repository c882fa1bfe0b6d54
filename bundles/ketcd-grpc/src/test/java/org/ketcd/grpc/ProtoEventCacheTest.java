package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.ketcd.api.Event;
import org.ketcd.api.KeyValue;

class ProtoEventCacheTest {
    private final ProtoEventCache cache = new ProtoEventCache();

    private static Event put(String key, String value, long revision) {
        return Event.put(new KeyValue(key.getBytes(StandardCharsets.UTF_8), revision, revision, 1,
                value.getBytes(StandardCharsets.UTF_8), 0));
    }

    @Test
    void anEventDeliveredToManyWatchersIsConvertedOnce() {
        Event e = put("k", "v", 7);
        io.etcd.jetcd.api.Event first = cache.proto(e);
        for (int watcher = 0; watcher < 100; watcher++) {
            assertSame(first, cache.proto(e));
        }
        assertEquals("k", first.getKv().getKey().toStringUtf8());
        assertEquals("v", first.getKv().getValue().toStringUtf8());
        assertEquals(7, first.getKv().getModRevision());
    }

    @Test
    void eachEventGetsItsOwnConversionEvenWhenTheyShareASlot() {
        for (int i = 0; i < 10 * ProtoEventCache.SLOTS; i++) {
            Event e = put("key" + i, "value" + i, i + 1);
            io.etcd.jetcd.api.Event proto = cache.proto(e);
            assertEquals("key" + i, proto.getKv().getKey().toStringUtf8());
            assertEquals("value" + i, proto.getKv().getValue().toStringUtf8());
            assertEquals(i + 1, proto.getKv().getModRevision());
        }
    }

    @Test
    void anEventWithAWatchersPreviousValueCarriesIt() {
        Event e = put("k", "new", 9);
        Event withPrev = e.withPrevKv(put("k", "old", 8).kv());
        io.etcd.jetcd.api.Event shared = cache.proto(e);
        io.etcd.jetcd.api.Event own = cache.proto(withPrev);
        assertNotSame(shared, own);
        assertEquals("old", own.getPrevKv().getValue().toStringUtf8());
        assertEquals(false, shared.hasPrevKv());
    }
}
