package org.ketcd.server.watch;

import java.util.ArrayDeque;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchListener;
import org.ketcd.api.WatchRequest;

/**
 * One watcher of the {@link WatchHub}: what it follows, the next revision it needs, and its bounded
 * buffer of batches not yet polled. All state is guarded by the hub's lock.
 */
final class Watcher implements Watch {
    /**
     * Batches a watcher may hold unpolled (etcd's chanBufLen, 128). A synced watcher whose buffer is
     * full is moved to the unsynced group and later reads what it missed from the store's history,
     * so memory per watcher stays bounded by this many batches, each one revision or one history chunk.
     */
    static final int BUFFER_BATCHES = 128;

    final WatchRequest request;
    private final WatchListener listener;
    private final WatchHub hub;
    private final ArrayDeque<WatchBatch> buffer = new ArrayDeque<>();

    /** The next revision this watcher needs (every earlier one is buffered, polled, or not of interest). */
    long nextRevision;
    boolean synced;
    boolean closed;
    /** Whether events were buffered since the last progress tick (idle watchers only get progress). */
    boolean eventsSinceTick;

    Watcher(WatchRequest request, WatchListener listener, WatchHub hub) {
        this.request = request;
        this.listener = listener;
        this.hub = hub;
    }

    boolean hasRoom() {
        return buffer.size() < BUFFER_BATCHES;
    }

    int buffered() {
        return buffer.size();
    }

    /** Buffers a batch; tells the listener when the buffer was empty. The caller checked the room. */
    void push(WatchBatch batch) {
        assert !closed : "no batch for a closed watcher";
        boolean wasEmpty = buffer.isEmpty();
        buffer.add(batch);
        hub.pendingEvents += batch.events().size();
        if (!batch.events().isEmpty()) {
            eventsSinceTick = true;
        }
        if (wasEmpty) {
            listener.ready();
        }
    }

    /** Under the hub's lock. */
    WatchBatch takeNext() {
        WatchBatch taken = buffer.poll();
        if (taken != null) {
            hub.pendingEvents -= taken.events().size();
            hub.eventsSent += taken.events().size();
        }
        return taken;
    }

    /** Under the hub's lock: see {@link Watch#progressRevision()}. */
    long deliveredThrough(long currentRevision) {
        WatchBatch first = buffer.peek();
        if (first != null) {
            return first.events().isEmpty() ? first.revision() : first.events().get(0).revision() - 1;
        }
        return synced ? currentRevision : nextRevision - 1;
    }

    /** Under the hub's lock. */
    void discardBuffer() {
        for (WatchBatch b : buffer) {
            hub.pendingEvents -= b.events().size();
        }
        buffer.clear();
    }

    @Override
    public WatchBatch poll() {
        return hub.poll(this);
    }

    @Override
    public long progressRevision() {
        return hub.progressRevision(this);
    }

    @Override
    public void close() {
        hub.cancel(this);
    }
}
