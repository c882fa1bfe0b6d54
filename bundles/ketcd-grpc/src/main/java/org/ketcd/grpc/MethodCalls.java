package org.ketcd.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.ketcd.api.GrpcCallStats;

/**
 * The counters of one served gRPC method, under go-grpc-prometheus' labels: the service's full gRPC name
 * (etcdserverpb.KV), the bare method name (Range) and its grpc_type. Every counter exists from the start,
 * one per status code included, since go-grpc-prometheus pre-registers each method with every code at 0; so does the
 * handling-time histogram when calls are timed.
 */
final class MethodCalls {
    private static final Status.Code[] CODES = Status.Code.values();

    private final String service;
    private final String method;
    private final String type;
    private final LongAdder started = new LongAdder();
    /** Indexed by the code's ordinal. */
    private final LongAdder[] handled = new LongAdder[CODES.length];
    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    /** How long handled calls took; null when calls are not timed. */
    private final org.ketcd.api.DurationHistogram handlingTimes;

    MethodCalls(MethodDescriptor<?, ?> descriptor, boolean timed) {
        this.handlingTimes = timed ? org.ketcd.api.DurationHistogram.forGrpcHandling() : null;
        this.service = descriptor.getServiceName();
        this.method = descriptor.getBareMethodName();
        this.type = grpcType(descriptor.getType());
        for (int i = 0; i < handled.length; i++) {
            handled[i] = new LongAdder();
        }
    }

    void started() {
        started.increment();
    }

    /** A call ended with {@code code} after {@code nanos}. */
    void handled(Status.Code code, long nanos) {
        handled[code.ordinal()].increment();
        if (handlingTimes != null) {
            handlingTimes.observe(nanos);
        }
    }

    void received() {
        received.increment();
    }

    void sent() {
        sent.increment();
    }

    /** The counts now, codes in Go's numeric order; each counter is read on its own, so a call in flight may show in one and not yet in another. */
    GrpcCallStats.Method snapshot() {
        Map<String, Long> byCode = new LinkedHashMap<>();
        for (Status.Code code : CODES) {
            byCode.put(goName(code), handled[code.ordinal()].sum());
        }
        return new GrpcCallStats.Method(service, method, type, started.sum(), Collections.unmodifiableMap(byCode), received.sum(), sent.sum(),
                handlingTimes == null ? null : handlingTimes.snapshot());
    }

    /** go-grpc-prometheus' grpc_type of a method. */
    static String grpcType(MethodDescriptor.MethodType type) {
        return switch (type) {
            case UNARY -> "unary";
            case CLIENT_STREAMING -> "client_stream";
            case SERVER_STREAMING -> "server_stream";
            case BIDI_STREAMING -> "bidi_stream";
            case UNKNOWN -> throw new IllegalArgumentException("a served method has a known type");
        };
    }

    /** A status code as Go's codes.Code prints it, the grpc_code label of go-grpc-prometheus. */
    static String goName(Status.Code code) {
        return switch (code) {
            case OK -> "OK";
            case CANCELLED -> "Canceled";
            case UNKNOWN -> "Unknown";
            case INVALID_ARGUMENT -> "InvalidArgument";
            case DEADLINE_EXCEEDED -> "DeadlineExceeded";
            case NOT_FOUND -> "NotFound";
            case ALREADY_EXISTS -> "AlreadyExists";
            case PERMISSION_DENIED -> "PermissionDenied";
            case RESOURCE_EXHAUSTED -> "ResourceExhausted";
            case FAILED_PRECONDITION -> "FailedPrecondition";
            case ABORTED -> "Aborted";
            case OUT_OF_RANGE -> "OutOfRange";
            case UNIMPLEMENTED -> "Unimplemented";
            case INTERNAL -> "Internal";
            case UNAVAILABLE -> "Unavailable";
            case DATA_LOSS -> "DataLoss";
            case UNAUTHENTICATED -> "Unauthenticated";
        };
    }
}
