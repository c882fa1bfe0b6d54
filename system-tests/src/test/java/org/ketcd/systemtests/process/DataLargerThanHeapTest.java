package org.ketcd.systemtests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.Member;

/**
 * A member's data may be far larger than its heap, as etcd's data is larger than its memory: keys and their
 * revisions are on the heap, values in Derby. A member with a 256 MiB heap takes 300 MiB of values, is restarted,
 * and serves every one of them, each read back and compared with what was written. A read of all of them at
 * once is refused with grpc's "larger than max" error instead of running the member out of memory, and the
 * member goes on serving.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DataLargerThanHeapTest {
    private static final String HEAP = "-Xmx256m";
    private static final int KEYS = 100_000;
    private static final int VALUE_BYTES = 3 * 1024;
    /** Puts in flight at once. */
    private static final int IN_FLIGHT = 64;
    /** Keys per read when comparing. */
    private static final int PAGE = 1_000;

    @Test
    void a_member_with_a_256_mib_heap_takes_300_mib_of_values_and_after_a_restart_serves_every_one_and_refuses_all_at_once() throws Exception {
        Member m = Member.prepare(Member.Kind.KETCD, "larger-than-heap").withEnvironment("KETCD_JAVA_OPTS", HEAP);
        try {
            m.startAlone("--experimental-value-cache-bytes", String.valueOf(16 << 20),
                    "--quota-backend-bytes", String.valueOf(4L << 30));
            load(m);
            assertNull(m.awaitExit(Duration.ZERO), () -> "the member stopped while loading:\n" + m.logTail(40));
            m.terminate(Duration.ofSeconds(60));
            m.restart();
            compareEverything(m);
            readAllAtOnce(m);
            assertNull(m.awaitExit(Duration.ZERO), () -> "the member stopped after the large read:\n" + m.logTail(40));
        } finally {
            m.close();
        }
    }

    private static ByteString key(int i) {
        return ByteString.copyFrom(String.format("big/%07d", i), StandardCharsets.US_ASCII);
    }

    /** A value that names its key, so that a value read back under another key is caught. */
    private static ByteString value(int i) {
        byte[] v = new byte[VALUE_BYTES];
        Arrays.fill(v, (byte) ('a' + i % 26));
        byte[] name = key(i).toByteArray();
        System.arraycopy(name, 0, v, 0, name.length);
        return ByteString.copyFrom(v);
    }

    private static ManagedChannel channel(Member m) {
        return NettyChannelBuilder.forTarget(m.endpoint().replace("http://", "")).usePlaintext().build();
    }

    private static void load(Member m) throws Exception {
        ManagedChannel channel = channel(m);
        try {
            KVGrpc.KVFutureStub kv = KVGrpc.newFutureStub(channel);
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int i = 0; i < KEYS && failure.get() == null; i++) {
                inFlight.acquire();
                var put = kv.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .put(PutRequest.newBuilder().setKey(key(i)).setValue(value(i)).build());
                put.addListener(() -> {
                    try {
                        put.get();
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        inFlight.release();
                    }
                }, Runnable::run);
            }
            inFlight.acquire(IN_FLIGHT);
            if (failure.get() != null) {
                throw new AssertionError("a put failed: " + failure.get() + "\n" + m.logTail(40), failure.get());
            }
        } finally {
            channel.shutdownNow();
        }
    }

    private static RangeRequest.Builder everything() {
        return RangeRequest.newBuilder().setKey(key(0)).setRangeEnd(ByteString.copyFrom("big0", StandardCharsets.US_ASCII));
    }

    /** All values in one answer are refused; their count, and a write, are served. */
    private static void readAllAtOnce(Member m) {
        ManagedChannel channel = channel(m);
        try {
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> kv.range(everything().build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().startsWith("grpc: trying to send message larger than max (at least "),
                    refused.getStatus().getDescription());
            assertEquals(KEYS, kv.range(everything().setCountOnly(true).build()).getCount());
            kv.put(PutRequest.newBuilder().setKey(key(KEYS)).setValue(value(KEYS)).build());
        } finally {
            channel.shutdownNow();
        }
    }

    private static void compareEverything(Member m) {
        ManagedChannel channel = channel(m);
        try {
            KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
            int next = 0;
            ByteString from = key(0);
            ByteString end = ByteString.copyFrom("big0", StandardCharsets.US_ASCII); // just past "big/"
            while (true) {
                RangeResponse page = kv.withDeadlineAfter(60, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setLimit(PAGE).build());
                for (var got : page.getKvsList()) {
                    assertEquals(key(next), got.getKey(), "keys in order, none missing");
                    assertEquals(value(next), got.getValue(), () -> "the value of " + got.getKey().toStringUtf8());
                    next++;
                }
                if (!page.getMore()) {
                    break;
                }
                from = key(next);
            }
            assertEquals(KEYS, next, "keys served after the restart");
        } finally {
            channel.shutdownNow();
        }
    }
}
