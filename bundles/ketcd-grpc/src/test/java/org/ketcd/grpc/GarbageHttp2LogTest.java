package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection that opens with the HTTP/2 preface and then sends garbage: the client port closes it and grpc's
 * log gets one line for it, not the ~30-line stack trace grpc writes by itself (etcd logs one line too).
 */
@Timeout(60)
class GarbageHttp2LogTest {
    static final byte[] PREFACE = ClientPortNegotiator.HTTP2_PREFACE;

    @TempDir
    static Path dir;
    static GrpcCluster cluster;
    static final List<LogRecord> records = new CopyOnWriteArrayList<>();
    static final BlockingQueue<LogRecord> transportEnds = new LinkedBlockingQueue<>();
    static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLoggerName() != null && record.getLoggerName().startsWith("io.grpc")) {
                records.add(record);
                if (record.getLoggerName().equals(TransportFailureLog.LOGGER)) {
                    transportEnds.add(record);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() throws Exception {
        cluster = GrpcCluster.start(dir, 1);
        // one good connection first: grpc logs a line once per JVM when it sets up its first connection
        cluster.client(0).getKVClient().get(io.etcd.jetcd.ByteSequence.from("k", java.nio.charset.StandardCharsets.UTF_8))
                .get(30, TimeUnit.SECONDS);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterAll
    static void stop() throws Exception {
        Logger.getLogger("").removeHandler(capture);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void prefaceThenAnUnknownFrameIsOneLogLineWithoutStackTrace() throws Exception {
        byte[] unknownFrame = {0, 0, 5, (byte) 0xff, 0, 0, 0, 0, 0, 'g', 'a', 'r', 'b', 'a'};
        assertOneConciseLine(concat(PREFACE, unknownFrame), "First received frame was not SETTINGS");
    }

    @Test
    void prefaceSettingsThenHeadersWithGarbageHpackIsOneLogLineWithoutStackTrace() throws Exception {
        byte[] settings = {0, 0, 0, 4, 0, 0, 0, 0, 0};
        byte[] headers = {0, 0, 8, 1, 4, 0, 0, 0, 1, -1, -1, -1, -1, -1, -1, -1, -1};
        assertOneConciseLine(concat(PREFACE, concat(settings, headers)), null);
    }

    /**
     * Sends {@code bytes} and waits until the server closed the connection and grpc logged its end: that record
     * comes last (from the channel's close listener), so every record about the connection is in by then.
     */
    static void assertOneConciseLine(byte[] bytes, String expectedCause) throws Exception {
        int before = records.size();
        transportEnds.clear();
        URI url = URI.create(cluster.clientUrl(0));
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            s.getInputStream().readAllBytes(); // until the server closes
        }
        assertNotNull(transportEnds.poll(10, TimeUnit.SECONDS), "grpc logged the failed connection");
        List<LogRecord> mine = records.subList(before, records.size());
        for (LogRecord r : mine) {
            assertNull(r.getThrown(), "no stack trace: " + r.getMessage());
            assertFalse(r.getMessage().contains("\n"), r.getMessage());
            assertTrue(r.getLevel().intValue() <= Level.INFO.intValue(), "not a warning: " + r.getLevel());
        }
        assertEquals(1, mine.size(), "one line per connection: " + mine.stream().map(LogRecord::getMessage).toList());
        if (expectedCause != null) {
            assertTrue(mine.get(0).getMessage().contains(expectedCause), mine.get(0).getMessage());
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
