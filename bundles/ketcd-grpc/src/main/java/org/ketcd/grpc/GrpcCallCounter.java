package org.ketcd.grpc;

import io.grpc.Metadata;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.ketcd.api.GrpcCallStats;

/**
 * Counts the gRPC calls an endpoint serves, as go-grpc-prometheus and etcd's codec count them for etcd's
 * {@code /metrics}. A {@link ServerStreamTracer} follows each call of a served method:
 * <ul>
 * <li>started when its stream is created;</li>
 * <li>handled when its stream closes, under the status the service closed it with or the one that cut it short
 * (the client cancelled, the deadline passed, the service threw): once per started call, so started minus handled
 * is the calls in flight;</li>
 * <li>a message received or sent as the transport deframes or frames it;</li>
 * <li>bytes: each message's uncompressed size, which is its marshalled size as etcd's codec counts it (without
 * gRPC's 5-byte prefix and HTTP/2 framing);</li>
 * <li>when timed (etcd's --metrics extensive): from the stream's creation to its close.</li>
 * </ul>
 * Calls of a method not served are not counted (go-grpc-prometheus never sees them either). The methods are fixed
 * when the counter is made, so counting takes no lock: a call makes one tracer, which adds to {@link LongAdder}s.
 *
 * <p>The JSON gateway's in-process transport reports no message sizes (unless a grpc experimental flag is set):
 * its server counts no bytes, and the gateway's channel counts its messages' bytes instead ({@link GatewayMessageBytes}).
 */
final class GrpcCallCounter implements GrpcCallStats {
    private static final ServerStreamTracer NOT_SERVED = new ServerStreamTracer() {
    };

    private final Map<String, MethodCalls> byFullName = new HashMap<>();
    private final List<MethodCalls> listed = new ArrayList<>();
    private final LongAdder receivedBytes = new LongAdder();
    private final LongAdder sentBytes = new LongAdder();
    private final boolean timed;

    /**
     * Counts the methods of {@code services}: listed by service in that order, then by method name; {@code timed}: also
     * how long each call took.
     */
    GrpcCallCounter(List<ServerServiceDefinition> services, boolean timed) {
        this.timed = timed;
        for (ServerServiceDefinition service : services) {
            List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>(service.getMethods());
            methods.sort(Comparator.comparing(m -> m.getMethodDescriptor().getBareMethodName()));
            for (ServerMethodDefinition<?, ?> m : methods) {
                MethodCalls calls = new MethodCalls(m.getMethodDescriptor(), timed);
                byFullName.put(m.getMethodDescriptor().getFullMethodName(), calls);
                listed.add(calls);
            }
        }
    }

    /** For a server on the network: the transport reports each message's size. */
    ServerStreamTracer.Factory networkTracers() {
        return new Tracers(true);
    }

    /** For the gateway's in-process server: its bytes are counted by {@link GatewayMessageBytes}. */
    ServerStreamTracer.Factory gatewayTracers() {
        return new Tracers(false);
    }

    void addReceivedBytes(long bytes) {
        receivedBytes.add(bytes);
    }

    void addSentBytes(long bytes) {
        sentBytes.add(bytes);
    }

    @Override
    public List<Method> methods() {
        return listed.stream().map(MethodCalls::snapshot).toList();
    }

    @Override
    public boolean handlingTimes() {
        return timed;
    }

    @Override
    public long receivedBytes() {
        return receivedBytes.sum();
    }

    @Override
    public long sentBytes() {
        return sentBytes.sum();
    }

    private final class Tracers extends ServerStreamTracer.Factory {
        private final boolean countSizes;

        Tracers(boolean countSizes) {
            this.countSizes = countSizes;
        }

        @Override
        public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
            MethodCalls calls = byFullName.get(fullMethodName);
            if (calls == null) {
                return NOT_SERVED;
            }
            calls.started();
            return new CallTracer(calls, countSizes);
        }
    }

    /** One call; the transport calls it from its own and the handler threads, so it holds nothing that changes. */
    private final class CallTracer extends ServerStreamTracer {
        private final MethodCalls calls;
        private final boolean countSizes;
        private final long startNanos = System.nanoTime();

        CallTracer(MethodCalls calls, boolean countSizes) {
            this.calls = calls;
            this.countSizes = countSizes;
        }

        @Override
        public void inboundMessage(int seqNo) {
            calls.received();
        }

        @Override
        public void outboundMessage(int seqNo) {
            calls.sent();
        }

        @Override
        public void inboundUncompressedSize(long bytes) {
            if (countSizes) {
                receivedBytes.add(bytes);
            }
        }

        @Override
        public void outboundUncompressedSize(long bytes) {
            if (countSizes) {
                sentBytes.add(bytes);
            }
        }

        @Override
        public void streamClosed(Status status) {
            calls.handled(status.getCode(), System.nanoTime() - startNanos);
        }
    }
}
