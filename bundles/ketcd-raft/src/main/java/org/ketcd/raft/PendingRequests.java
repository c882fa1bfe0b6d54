package org.ketcd.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Proposals of this member waiting for their command to be applied (etcd's {@code wait.Wait}): the
 * apply thread hands each result to the client future registered under the command's request id.
 */
final class PendingRequests {
    private final ConcurrentHashMap<Long, CompletableFuture<Object>> waiting = new ConcurrentHashMap<>();
    // Seeded from the clock so ids of a restarted member never meet ids replayed from its own log.
    private final AtomicLong nextId = new AtomicLong(System.currentTimeMillis() << 20);

    long register(CompletableFuture<Object> result) {
        long id = nextId.incrementAndGet();
        waiting.put(id, result);
        return id;
    }

    int size() {
        return waiting.size();
    }

    void complete(long requestId, Object response) {
        CompletableFuture<Object> f = waiting.remove(requestId);
        if (f != null) {
            f.complete(response);
        }
    }

    void fail(long requestId, Throwable error) {
        CompletableFuture<Object> f = waiting.remove(requestId);
        if (f != null) {
            f.completeExceptionally(error);
        }
    }

    /**
     * Whether nobody waits for this request any more: its client gave up (cancelled its future, e.g. a gRPC call
     * cancelled by the client or its deadline) or it was answered already. Forgets such a request.
     */
    boolean abandoned(long requestId) {
        CompletableFuture<Object> f = waiting.get(requestId);
        if (f == null) {
            return true;
        }
        if (f.isDone()) {
            waiting.remove(requestId, f);
            return true;
        }
        return false;
    }

    /**
     * Runs {@code action} once every one of these requests has been cancelled by its client (none answered, none
     * failed): nobody waits for any of them any more. Requests answered already count as not cancelled.
     */
    void whenAllCancelled(List<Long> requestIds, Runnable action) {
        List<CompletableFuture<Object>> futures = new ArrayList<>(requestIds.size());
        for (Long id : requestIds) {
            CompletableFuture<Object> f = waiting.get(id);
            if (f == null) {
                return; // answered: the entry is applied, nothing to call off
            }
            futures.add(f);
        }
        // counts down only on cancellations, so one answered or failed request keeps it above zero for good
        AtomicInteger notCancelled = new AtomicInteger(futures.size());
        for (CompletableFuture<Object> f : futures) {
            f.whenComplete((r, e) -> {
                if (f.isCancelled() && notCancelled.decrementAndGet() == 0) {
                    action.run();
                }
            });
        }
    }

    void failAll(Throwable error) {
        for (Long id : waiting.keySet()) {
            fail(id, error);
        }
    }
}
