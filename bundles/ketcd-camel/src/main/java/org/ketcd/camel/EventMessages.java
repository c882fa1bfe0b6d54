package org.ketcd.camel;

import java.nio.charset.Charset;
import java.util.Base64;

import org.apache.camel.Message;
import org.ketcd.api.Event;
import org.ketcd.api.KeyValue;

/** Turns one watch event into the body and headers of a Camel message, as the endpoint's options ask. */
final class EventMessages {
    private final boolean bodyAsText;
    private final Charset charset;
    private final boolean jsonEnvelope;

    EventMessages(KetcdEndpoint endpoint) {
        this.bodyAsText = endpoint.bodyAsText();
        this.charset = endpoint.textCharset();
        this.jsonEnvelope = endpoint.getEnvelope().equals("json");
    }

    void fill(Message m, Event e, boolean lastInTransaction, boolean resync) {
        KeyValue kv = e.kv();
        m.setHeader(KetcdConstants.KEY, new String(kv.key(), charset));
        m.setHeader(KetcdConstants.EVENT_TYPE, e.type().name());
        m.setHeader(KetcdConstants.REVISION, e.revision());
        m.setHeader(KetcdConstants.CREATE_REVISION, kv.createRevision());
        m.setHeader(KetcdConstants.MOD_REVISION, kv.modRevision());
        m.setHeader(KetcdConstants.VERSION, kv.version());
        m.setHeader(KetcdConstants.LEASE, kv.lease());
        m.setHeader(KetcdConstants.LAST_IN_TRANSACTION, lastInTransaction);
        m.setHeader(KetcdConstants.RESYNC, resync);
        if (e.prevKv() != null) {
            m.setHeader(KetcdConstants.PREV_VALUE, value(e.prevKv().value()));
        }
        m.setBody(jsonEnvelope ? json(e, lastInTransaction, resync) : value(kv.value()));
    }

    private Object value(byte[] bytes) {
        return bodyAsText ? new String(bytes, charset) : bytes;
    }

    /** The envelope: text values as {@code value}, byte values base64 as {@code valueBase64}. */
    private String json(Event e, boolean lastInTransaction, boolean resync) {
        KeyValue kv = e.kv();
        StringBuilder b = new StringBuilder(128 + kv.value().length);
        b.append("{\"key\":");
        quote(b, new String(kv.key(), charset));
        b.append(",\"type\":\"").append(e.type().name()).append('"')
                .append(",\"revision\":").append(e.revision())
                .append(",\"createRevision\":").append(kv.createRevision())
                .append(",\"modRevision\":").append(kv.modRevision())
                .append(",\"version\":").append(kv.version())
                .append(",\"lease\":").append(kv.lease())
                .append(",\"lastInTransaction\":").append(lastInTransaction)
                .append(",\"resync\":").append(resync);
        if (e.type() == Event.Type.PUT) {
            appendValue(b, "value", kv.value());
        }
        if (e.prevKv() != null) {
            appendValue(b, "prevValue", e.prevKv().value());
        }
        return b.append('}').toString();
    }

    private void appendValue(StringBuilder b, String name, byte[] value) {
        if (bodyAsText) {
            b.append(",\"").append(name).append("\":");
            quote(b, new String(value, charset));
        } else {
            b.append(",\"").append(name).append("Base64\":\"").append(Base64.getEncoder().encodeToString(value)).append('"');
        }
    }

    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
