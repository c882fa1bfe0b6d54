package org.ketcd.mvcc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.ketcd.api.KeyValue;

/**
 * The bytes etcd's backend stores for one revision of a key: the revision key (8-byte big-endian main,
 * '_', 8-byte big-endian sub, and a trailing 't' for a tombstone) and the protobuf {@code mvccpb.KeyValue}
 * value. Ketcd keeps its data in Derby, but HashKV hashes these bytes so that its answer equals etcd's
 * for the same history and a mixed comparison of members is meaningful.
 */
final class EtcdBackendEncoding {
    /** etcd's bucket name, hashed first by HashKV. */
    static final byte[] KEY_BUCKET = "key".getBytes(StandardCharsets.US_ASCII);

    private EtcdBackendEncoding() {
    }

    static byte[] revisionKey(Revision rev, boolean tombstone) {
        byte[] b = new byte[tombstone ? 18 : 17];
        putLong(b, 0, rev.main());
        b[8] = '_';
        putLong(b, 9, rev.sub());
        if (tombstone) {
            b[17] = 't';
        }
        return b;
    }

    /** proto3 encoding of mvccpb.KeyValue: fields in number order, zero values omitted. A tombstone holds only its key. */
    static byte[] keyValue(KeyValue kv, boolean tombstone) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(kv.key().length + kv.value().length + 32);
        bytesField(out, 1, kv.key());
        if (!tombstone) {
            varintField(out, 2, kv.createRevision());
            varintField(out, 3, kv.modRevision());
            varintField(out, 4, kv.version());
            bytesField(out, 5, kv.value());
            varintField(out, 6, kv.lease());
        }
        return out.toByteArray();
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] value) {
        if (value.length == 0) {
            return;
        }
        varint(out, (long) field << 3 | 2);
        varint(out, value.length);
        out.writeBytes(value);
    }

    private static void varintField(ByteArrayOutputStream out, int field, long value) {
        if (value == 0) {
            return;
        }
        varint(out, (long) field << 3);
        varint(out, value);
    }

    /** Unsigned LEB128, as protobuf encodes int64 (a negative value takes ten bytes). */
    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
