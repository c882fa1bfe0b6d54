package org.ketcd.server.concurrency;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Event;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;

/**
 * The waiting that etcd's concurrency recipes (Mutex, Election) do, on the server: for the keys under a
 * prefix created before mine to go, and for one key's next change. Built on the server's own range and
 * watch, so it behaves exactly as a client of the server would.
 */
final class KeyWaits {
    private final EtcdServer server;
    /** Where watch batches are drained: never the apply thread that announces them. */
    private final Executor drains;

    KeyWaits(EtcdServer server, Executor drains) {
        this.server = server;
        this.drains = drains;
    }

    /**
     * A contender's turn in a queue: runs {@code steps} (given the future whose cancellation stops them)
     * and completes the returned future with their outcome. Cancelling it - the client gave up - deletes
     * {@code key}, leaving the queue, as etcd's recipes do when their context is canceled.
     */
    <T> CompletableFuture<T> inQueue(byte[] key, java.util.function.Function<CompletableFuture<T>, CompletableFuture<T>> steps) {
        CompletableFuture<T> result = new CompletableFuture<>();
        steps.apply(result).whenComplete((r, error) -> {
            if (error == null) {
                result.complete(r);
            } else {
                result.completeExceptionally(error);
            }
        });
        result.whenComplete((r, error) -> {
            if (error instanceof java.util.concurrent.CancellationException) {
                server.deleteRange(new org.ketcd.api.DeleteRangeRequest(key, Bytes.EMPTY, false));
            }
        });
        return result;
    }

    /** The key under {@code prefix} created first (no key: none), read at the response's revision. */
    CompletableFuture<RangeResponse> firstCreated(byte[] prefix) {
        return server.range(sortedByCreate(prefix, RangeRequest.SortOrder.ASCEND, 0));
    }

    /**
     * etcd's waitDeletes: completes (with the revision it last read at) once no key under {@code prefix}
     * with a create revision up to {@code maxCreateRevision} is left, waiting for the newest of them to
     * be deleted, then the next newest, and so on. {@code cancel} completing stops the wait.
     */
    CompletableFuture<Long> awaitDeletes(byte[] prefix, long maxCreateRevision, CompletableFuture<?> cancel) {
        return server.range(sortedByCreate(prefix, RangeRequest.SortOrder.DESCEND, maxCreateRevision)).thenCompose(r -> {
            if (r.kvs().isEmpty() || cancel.isDone()) {
                return CompletableFuture.completedFuture(r.revision());
            }
            return nextChange(r.kvs().get(0).key(), Bytes.EMPTY, r.revision(), true, cancel)
                    .thenCompose(ignored -> awaitDeletes(prefix, maxCreateRevision, cancel));
        });
    }

    /**
     * The first change in etcd's (key, rangeEnd) interval after {@code revision} (only deletes if
     * {@code deletesOnly}), or null when the history it needs was compacted (the caller then reads again).
     */
    CompletableFuture<Event> nextChange(byte[] key, byte[] rangeEnd, long revision, boolean deletesOnly, CompletableFuture<?> cancel) {
        CompletableFuture<Event> changed = new CompletableFuture<>();
        AtomicReference<Watch> watch = new AtomicReference<>();
        Runnable drain = () -> {
            Watch w = watch.get();
            if (w == null) {
                return;
            }
            WatchBatch b;
            while (!changed.isDone() && (b = w.poll()) != null) {
                if (b.canceled()) {
                    changed.complete(null);
                } else if (!b.events().isEmpty()) {
                    changed.complete(b.events().get(0));
                }
            }
        };
        watch.set(server.watch(new WatchRequest(key, rangeEnd, revision + 1, deletesOnly, false, false),
                () -> drains.execute(drain)));
        changed.whenComplete((e, error) -> watch.get().close());
        cancel.whenComplete((v, error) -> changed.cancel(false));
        drains.execute(drain); // batches announced before the watch was set
        return changed;
    }

    private static RangeRequest sortedByCreate(byte[] prefix, RangeRequest.SortOrder order, long maxCreateRevision) {
        return new RangeRequest(prefix, Bytes.prefixEnd(prefix), 1, 0, order, RangeRequest.SortTarget.CREATE,
                false, false, false, 0, 0, 0, maxCreateRevision);
    }
}
