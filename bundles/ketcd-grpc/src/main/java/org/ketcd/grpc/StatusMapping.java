package org.ketcd.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place server errors become gRPC statuses (etcd's toGRPCErrorMap): etcd's code and exact
 * message for every refusal; an unexpected fault is logged here and the client sees only a generic
 * INTERNAL status, never a stack trace.
 */
final class StatusMapping {
    private static final Logger LOG = LoggerFactory.getLogger(StatusMapping.class);

    private StatusMapping() {
    }

    static StatusRuntimeException toStatus(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StatusRuntimeException s) {
            return s;
        }
        if (cause instanceof EtcdException e) {
            return Status.fromCode(Status.Code.valueOf(e.error().code().name())).withDescription(e.getMessage())
                    .asRuntimeException();
        }
        if (cause instanceof java.util.concurrent.CancellationException) {
            return Status.CANCELLED.withDescription("context canceled").asRuntimeException(); // the client went away
        }
        if (cause instanceof IllegalArgumentException bad) {
            return Status.INVALID_ARGUMENT.withDescription(bad.getMessage()).asRuntimeException();
        }
        LOG.error("request failed unexpectedly", cause);
        return status(EtcdError.INTERNAL);
    }

    static StatusRuntimeException status(EtcdError error) {
        return Status.fromCode(Status.Code.valueOf(error.code().name())).withDescription(error.message())
                .asRuntimeException();
    }

    /** Answers a unary call from a server future: the converted response, or the mapped error. */
    static <T, R> void reply(StreamObserver<R> observer, Function<T, R> convert, java.util.function.Supplier<CompletableFuture<T>> call) {
        answer(observer, convert, call, false);
    }

    /**
     * As {@link #reply}, for a write: when the client cancels the call (or its deadline passes) the write's own
     * future is cancelled, so a write still queued for Raft is never proposed (etcd does not propose a request
     * whose context ended before raft took it). Only for futures that belong to this call alone.
     */
    static <T, R> void replyToWrite(StreamObserver<R> observer, Function<T, R> convert, java.util.function.Supplier<CompletableFuture<T>> call) {
        answer(observer, convert, call, true);
    }

    private static <T, R> void answer(StreamObserver<R> observer, Function<T, R> convert,
                                      java.util.function.Supplier<CompletableFuture<T>> call, boolean cancelWithCall) {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            observer.onError(toStatus(e));
            return;
        }
        if (cancelWithCall && observer instanceof io.grpc.stub.ServerCallStreamObserver<R> serverCall) {
            serverCall.setOnCancelHandler(() -> future.cancel(false));
        }
        future.whenComplete((value, error) -> {
            if (error instanceof java.util.concurrent.CancellationException) {
                return; // the client is gone
            }
            if (error != null) {
                observer.onError(toStatus(error));
                return;
            }
            R response;
            try {
                response = convert.apply(value);
            } catch (RuntimeException e) {
                observer.onError(toStatus(e));
                return;
            }
            observer.onNext(response);
            observer.onCompleted();
        });
    }
}
