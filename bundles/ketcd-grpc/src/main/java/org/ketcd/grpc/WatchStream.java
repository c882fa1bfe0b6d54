package org.ketcd.grpc;

import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Event;
import org.ketcd.api.KeyValue;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;

/**
 * One client's Watch stream, as etcd's serverWatchStream: creates and cancels watchers, answers
 * progress requests, and sends each watcher's batches (prev_kv looked up at send time, fragmented
 * when asked) while gRPC says the client keeps up. All work runs serialized on the handler pool, one
 * drain at a time, so responses of one watcher keep their order.
 *
 * <p>Memory per stream is bounded: events wait in the watchers' bounded server-side buffers until the
 * transport is ready ({@code isReady}), and requests are read one at a time (manual inbound flow
 * control) only while fewer than {@link #MAX_PENDING_CONTROL} control responses wait to be sent.
 */
final class WatchStream implements StreamObserver<WatchRequest> {
    /** Created/canceled/progress responses that may wait for a slow client before its requests are no longer read. */
    static final int MAX_PENDING_CONTROL = 64;
    /** etcd's mvcc ErrWatcherDuplicateID. */
    static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";

    private record Watcher(long id, Watch watch, boolean prevKv, boolean fragment) {
    }

    private final EtcdServer server;
    private final ServerCallStreamObserver<WatchResponse> call;
    private final Executor executor;
    private final AtomicInteger drainRequests = new AtomicInteger();
    // handed over from gRPC and server threads
    private final Queue<WatchRequest> inbox = new ConcurrentLinkedQueue<>();
    private final Queue<Long> signaled = new ConcurrentLinkedQueue<>();
    private volatile boolean ended;
    private volatile boolean stopping;
    private final Runnable onClosed;
    private final ProtoEventCache protos;
    // touched only by the drain
    private final Map<Long, Watcher> watchers = new HashMap<>();
    private final LinkedHashSet<Long> ready = new LinkedHashSet<>();
    private final ArrayDeque<WatchResponse> control = new ArrayDeque<>();
    private long nextId;
    private boolean readRequested;
    private boolean closed;

    WatchStream(EtcdServer server, ServerCallStreamObserver<WatchResponse> call, Executor executor, ProtoEventCache protos,
                Runnable onClosed) {
        this.server = server;
        this.protos = protos;
        this.onClosed = onClosed;
        this.call = call;
        this.executor = executor;
        call.disableAutoRequest();
        call.setOnReadyHandler(this::schedule);
        call.setOnCancelHandler(() -> {
            ended = true;
            schedule();
        });
        schedule();
    }

    @Override
    public void onNext(WatchRequest request) {
        inbox.add(request);
        schedule();
    }

    @Override
    public void onError(Throwable t) {
        ended = true;
        schedule();
    }

    /** As etcd, a client closing its sending side does not end the stream: its watchers keep running. */
    @Override
    public void onCompleted() {
    }

    /** Ends the stream with etcd's "server stopped" (the endpoint is closing), so clients move to another member. */
    void stop() {
        stopping = true;
        schedule();
    }

    /** Runs the drain unless one is running; a running drain goes round again. */
    private void schedule() {
        if (drainRequests.getAndIncrement() == 0) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        int requests = drainRequests.get();
        while (true) {
            try {
                drainOnce();
            } catch (RuntimeException e) {
                ended = true;
                closeAll();
                call.onError(StatusMapping.toStatus(e));
            }
            requests = drainRequests.addAndGet(-requests);
            if (requests == 0) {
                return;
            }
        }
    }

    private void drainOnce() {
        if (closed) {
            return;
        }
        if (ended) {
            closeAll();
            return;
        }
        if (stopping) {
            closeAll();
            call.onError(StatusMapping.status(EtcdError.STOPPED));
            return;
        }
        for (WatchRequest r = inbox.poll(); r != null; r = inbox.poll()) {
            readRequested = false;
            handle(r);
        }
        for (Long id = signaled.poll(); id != null; id = signaled.poll()) {
            ready.add(id);
        }
        while (call.isReady() && send()) {
            // one response per round: control first, then the ready watchers in turn
        }
        if (!readRequested && control.size() < MAX_PENDING_CONTROL) {
            readRequested = true;
            call.request(1);
        }
    }

    private boolean send() {
        WatchResponse c = control.poll();
        if (c != null) {
            call.onNext(c);
            return true;
        }
        while (!ready.isEmpty()) {
            Long id = ready.iterator().next();
            ready.remove(id);
            Watcher w = watchers.get(id);
            WatchBatch batch = w == null ? null : w.watch().poll();
            if (batch == null) {
                continue; // drained; its listener signals again when there is more
            }
            ready.add(id); // to the back: the others take their turn
            sendBatch(w, batch);
            if (batch.canceled()) {
                watchers.remove(id);
                ready.remove(id);
            }
            return true;
        }
        return false;
    }

    private void handle(WatchRequest r) {
        switch (r.getRequestUnionCase()) {
            case CREATE_REQUEST -> create(r.getCreateRequest());
            case CANCEL_REQUEST -> cancel(r.getCancelRequest().getWatchId());
            case PROGRESS_REQUEST -> control.add(response(progressRevision()).setWatchId(-1).build());
            default -> { } // etcd ignores an empty request
        }
    }

    private void create(WatchCreateRequest c) {
        long revision = server.currentRevision();
        long id = WatchMessages.watchId(c);
        if (id == 0) { // etcd's AutoWatchID: the lowest free id from where the last one was given
            while (watchers.containsKey(nextId)) {
                nextId++;
            }
            id = nextId++;
        } else if (watchers.containsKey(id)) {
            control.add(refused(revision, DUPLICATE_ID));
            return;
        }
        long watchId = id;
        Watch watch;
        try {
            watch = server.watch(WatchMessages.request(c), () -> {
                signaled.add(watchId);
                schedule();
            });
        } catch (IllegalArgumentException e) {
            control.add(refused(revision, e.getMessage()));
            return;
        } catch (org.ketcd.api.EtcdException e) {
            if (!AUTH_REFUSALS.contains(e.error())) {
                throw e;
            }
            control.add(refused(revision, goStatusText(e.error())));
            return;
        }
        watchers.put(id, new Watcher(id, watch, c.getPrevKv(), WatchMessages.fragment(c)));
        control.add(response(revision).setWatchId(id).setCreated(true).build());
    }

    /** etcd refuses a watch its caller may not read with a cancel, not by failing the stream. */
    private static final java.util.Set<org.ketcd.api.EtcdError> AUTH_REFUSALS = java.util.EnumSet.of(
            org.ketcd.api.EtcdError.PERMISSION_DENIED, org.ketcd.api.EtcdError.USER_EMPTY,
            org.ketcd.api.EtcdError.AUTH_OLD_REVISION, org.ketcd.api.EtcdError.INVALID_AUTH_TOKEN);

    /** A gRPC status as grpc-go prints it, which is how etcd words a watch's cancel reason for auth refusals. */
    private static String goStatusText(org.ketcd.api.EtcdError error) {
        String code = switch (error.code()) {
            case PERMISSION_DENIED -> "PermissionDenied";
            case UNAUTHENTICATED -> "Unauthenticated";
            default -> "InvalidArgument";
        };
        return "rpc error: code = " + code + " desc = " + error.message();
    }

    private WatchResponse refused(long revision, String reason) {
        return response(revision).setWatchId(-1).setCreated(true).setCanceled(true).setCancelReason(reason).build();
    }

    /** etcd answers only the cancel of an existing watcher. */
    private void cancel(long id) {
        Watcher w = watchers.remove(id);
        if (w != null) {
            w.watch().close();
            ready.remove(id);
            control.add(response(server.currentRevision()).setWatchId(id).setCanceled(true).build());
        }
    }

    /** A revision every watcher of this stream has sent all events up to (the current one if none). */
    private long progressRevision() {
        long revision = server.currentRevision();
        for (Watcher w : watchers.values()) {
            revision = Math.min(revision, w.watch().progressRevision());
        }
        return revision;
    }

    private void sendBatch(Watcher w, WatchBatch batch) {
        WatchResponse.Builder b = response(batch.revision()).setWatchId(w.id());
        if (batch.canceled()) {
            b.setCanceled(true).setCompactRevision(batch.compactRevision());
        }
        for (Event e : batch.events()) {
            b.addEvents(protos.proto(w.prevKv() && !e.isCreate() ? e.withPrevKv(previous(e)) : e));
        }
        WatchResponse r = b.build();
        if (w.fragment()) {
            WatchMessages.sendFragmented(r, server.maxRequestBytes(), call::onNext);
        } else {
            call.onNext(r);
        }
    }

    /** etcd reads the previous version at send time, so it is absent if compacted meanwhile. */
    private KeyValue previous(Event e) {
        RangeRequest at = new RangeRequest(e.kv().key(), Bytes.EMPTY, 1, e.revision() - 1, RangeRequest.SortOrder.NONE,
                RangeRequest.SortTarget.KEY, true, false, false, 0, 0, 0, 0);
        try {
            RangeResponse r = server.range(at).join();
            return r.kvs().isEmpty() ? null : r.kvs().get(0);
        } catch (RuntimeException compacted) {
            return null;
        }
    }

    private WatchResponse.Builder response(long revision) {
        return WatchResponse.newBuilder().setHeader(KvMessages.header(server.header(revision)));
    }

    private void closeAll() {
        if (closed) {
            return;
        }
        closed = true;
        watchers.values().forEach(w -> w.watch().close());
        watchers.clear();
        ready.clear();
        control.clear();
        onClosed.run();
    }
}
