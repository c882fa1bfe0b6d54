package org.ketcd.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.ketcd.api.Bytes;
import org.ketcd.api.Event;
import org.ketcd.api.WatchRequest;

/**
 * Translates etcd's Watch protobuf messages. etcd 3.4's {@code watch_id} (7) and {@code fragment} (8)
 * of WatchCreateRequest and {@code fragment} (7) of WatchResponse are missing from jetcd-grpc's
 * proto, so they travel as unknown fields.
 */
final class WatchMessages {
    private static final int CREATE_FIELD_WATCH_ID = 7;
    private static final int CREATE_FIELD_FRAGMENT = 8;
    private static final int RESPONSE_FIELD_FRAGMENT = 7;
    private static final int RESPONSE_FIELD_EVENTS = 11;

    private WatchMessages() {
    }

    /** etcd's normalization: an empty key is "\0" (the smallest key); the range end keeps etcd's meaning. */
    static WatchRequest request(WatchCreateRequest c) {
        byte[] key = c.getKey().isEmpty() ? new byte[] {0} : c.getKey().toByteArray();
        boolean noPut = false;
        boolean noDelete = false;
        for (WatchCreateRequest.FilterType f : c.getFiltersList()) {
            noPut |= f == WatchCreateRequest.FilterType.NOPUT;
            noDelete |= f == WatchCreateRequest.FilterType.NODELETE;
        }
        return new WatchRequest(key, c.getRangeEnd().isEmpty() ? Bytes.EMPTY : c.getRangeEnd().toByteArray(),
                c.getStartRevision(), noPut, noDelete, c.getProgressNotify());
    }

    /** The client-chosen watch id, 0 (etcd's AutoWatchID) when none. */
    static long watchId(WatchCreateRequest c) {
        return lastVarint(c.getUnknownFields(), CREATE_FIELD_WATCH_ID);
    }

    static boolean fragment(WatchCreateRequest c) {
        return lastVarint(c.getUnknownFields(), CREATE_FIELD_FRAGMENT) != 0;
    }

    private static long lastVarint(UnknownFieldSet fields, int number) {
        UnknownFieldSet.Field f = fields.getField(number);
        return f == null || f.getVarintList().isEmpty() ? 0 : f.getVarintList().get(f.getVarintList().size() - 1);
    }

    static io.etcd.jetcd.api.Event event(Event e) {
        io.etcd.jetcd.api.Event.Builder b = io.etcd.jetcd.api.Event.newBuilder()
                .setType(e.type() == Event.Type.PUT ? io.etcd.jetcd.api.Event.EventType.PUT
                        : io.etcd.jetcd.api.Event.EventType.DELETE)
                .setKv(KvMessages.kv(e.kv()));
        if (e.prevKv() != null) {
            b.setPrevKv(KvMessages.kv(e.prevKv()));
        }
        return b.build();
    }

    /**
     * etcd's sendFragments: a response of two or more events at or over {@code maxBytes} goes as
     * several, each under the limit (or of one event), all but the last marked {@code fragment}.
     */
    static void sendFragmented(WatchResponse r, int maxBytes, Consumer<WatchResponse> send) {
        if (r.getSerializedSize() < maxBytes || r.getEventsCount() < 2) {
            send.accept(r);
            return;
        }
        WatchResponse empty = withFragment(r.toBuilder().clearEvents(), true).build();
        List<io.etcd.jetcd.api.Event> events = r.getEventsList();
        int next = 0;
        while (next < events.size()) {
            List<io.etcd.jetcd.api.Event> part = new ArrayList<>();
            int size = empty.getSerializedSize();
            while (next < events.size()) {
                int eventSize = CodedOutputStream.computeMessageSize(RESPONSE_FIELD_EVENTS, events.get(next));
                if (!part.isEmpty() && size + eventSize >= maxBytes) {
                    break;
                }
                part.add(events.get(next++));
                size += eventSize;
            }
            WatchResponse.Builder b = r.toBuilder().clearEvents().addAllEvents(part);
            send.accept(withFragment(b, next < events.size()).build());
        }
    }

    private static WatchResponse.Builder withFragment(WatchResponse.Builder b, boolean fragment) {
        UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder(b.getUnknownFields()).clearField(RESPONSE_FIELD_FRAGMENT);
        if (fragment) {
            unknown.addField(RESPONSE_FIELD_FRAGMENT, UnknownFieldSet.Field.newBuilder().addVarint(1).build());
        }
        return b.setUnknownFields(unknown.build());
    }

    /** Whether a response is marked as a fragment to be joined with the next. */
    static boolean isFragment(WatchResponse r) {
        return lastVarint(r.getUnknownFields(), RESPONSE_FIELD_FRAGMENT) != 0;
    }
}
