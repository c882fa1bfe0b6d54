package org.ketcd.raft;

import com.hazelcast.internal.nio.BufferObjectDataInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a log entry's fields from bytes that may come from anyone who reached the peer port: every
 * length and count is checked against the bytes that remain before anything is allocated (Hazelcast's
 * own readers allocate what the length says, so 5 bytes could ask for 2 GiB), every enum ordinal
 * against its enum. The formats are Hazelcast's: a length of -1 is null.
 */
final class EntryInput {
    private final BufferObjectDataInput in;
    private final int end;

    EntryInput(BufferObjectDataInput in, int end) {
        this.in = in;
        this.end = end;
    }

    int remaining() {
        return end - in.position();
    }

    byte readByte() throws IOException {
        need(Byte.BYTES);
        return in.readByte();
    }

    boolean readBoolean() throws IOException {
        need(1);
        return in.readBoolean();
    }

    int readInt() throws IOException {
        need(Integer.BYTES);
        return in.readInt();
    }

    long readLong() throws IOException {
        need(Long.BYTES);
        return in.readLong();
    }

    /**
     * A count of elements that each take at least {@code minBytesEach} bytes: refused when the bytes
     * left could not hold that many, so a forged count allocates nothing.
     */
    int readCount(int minBytesEach) throws IOException {
        int n = readInt();
        if (n < 0 || (long) n * minBytesEach > remaining()) {
            throw new IOException("a count of " + n + " does not fit in the " + remaining() + " bytes left");
        }
        return n;
    }

    byte[] readBytes() throws IOException {
        int n = readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > remaining()) {
            throw new IOException("a length of " + n + " does not fit in the " + remaining() + " bytes left");
        }
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return bytes;
    }

    String readString() throws IOException {
        byte[] utf8 = readBytes();
        return utf8 == null ? null : new String(utf8, StandardCharsets.UTF_8);
    }

    String[] readStrings() throws IOException {
        int n = readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || (long) n * Integer.BYTES > remaining()) {
            throw new IOException("a count of " + n + " strings does not fit in the " + remaining() + " bytes left");
        }
        String[] strings = new String[n];
        for (int i = 0; i < n; i++) {
            strings[i] = readString();
        }
        return strings;
    }

    <E extends Enum<E>> E readEnum(E[] values) throws IOException {
        int ordinal = readByte();
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IOException("no " + values.getClass().getComponentType().getSimpleName() + " numbered " + ordinal);
        }
        return values[ordinal];
    }

    private void need(int bytes) throws IOException {
        if (remaining() < bytes) {
            throw new IOException("the entry ends " + (bytes - remaining()) + " bytes early");
        }
    }
}
