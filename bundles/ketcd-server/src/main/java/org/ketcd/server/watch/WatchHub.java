package org.ketcd.server.watch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.Event;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchListener;
import org.ketcd.api.WatchRequest;
import org.ketcd.mvcc.ChangeListener;
import org.ketcd.mvcc.HistoryChunk;
import org.ketcd.mvcc.MvccStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchers of one member, as etcd's watchableStore. A <em>synced</em> watcher gets each applied
 * revision's events pushed into its buffer by the store's change feed; a watcher that starts at an
 * old revision, or whose buffer was full, is <em>unsynced</em> and reads what it missed from the
 * store's history in bounded chunks ({@link #catchUpRound()}, run on a thread of the caller's
 * choosing, woken through {@code wakeCatchUp}), then rejoins the synced group. Writers never wait
 * for a watcher; each watcher sees every revision of its range once, whole, in order.
 *
 * <p>One lock guards all watcher state; the store is never called while holding it (the change
 * feed calls in with the store's write lock held), so the hub keeps its own current revision.
 */
public final class WatchHub implements ChangeListener {
    private static final Logger LOG = LoggerFactory.getLogger(WatchHub.class);
    /** Unsynced watchers served per catch-up round (etcd's maxWatchersPerSync), so one round stays short. */
    static final int WATCHERS_PER_ROUND = 512;
    /**
     * History chunks a lagging watcher may hold ahead of its consumer: enough to keep a consumer busy
     * while the next chunk is read, and a stalled consumer pins at most this many chunks of
     * {@link MvccStore#HISTORY_CHUNK_EVENTS} events.
     */
    static final int CATCH_UP_AHEAD_BATCHES = 4;

    private final Object lock = new Object();
    private final MvccStore store;
    private final Runnable wakeCatchUp;
    // guarded by lock
    private long currentRevision;
    private final SyncedWatchers synced = new SyncedWatchers();
    private final Set<Watcher> unsynced = new LinkedHashSet<>();
    private final Set<Watcher> progressNotify = new LinkedHashSet<>();
    private int open;
    /** Events in watchers' buffers; the watchers keep it (under the lock). */
    long pendingEvents;
    /** Events taken from watchers' buffers since the hub started; the watchers keep it (under the lock). */
    long eventsSent;

    /**
     * A hub on {@code store}, which it registers with as the store's change listener: create it before
     * anything writes to the store.
     */
    public WatchHub(MvccStore store, Runnable wakeCatchUp) {
        this.store = store;
        this.wakeCatchUp = wakeCatchUp;
        this.currentRevision = store.currentRevision();
        store.setChangeListener(this);
    }

    /** Opens a watcher; see {@link org.ketcd.api.EtcdServer#watch}. */
    public Watch watch(WatchRequest request, WatchListener listener) {
        if (request.isEmptyRange()) {
            throw new IllegalArgumentException(WatchRequest.EMPTY_RANGE);
        }
        Watcher w = new Watcher(request, listener, this);
        boolean catchUp;
        synchronized (lock) {
            long start = request.startRevision();
            // as etcd: from now or from a future revision the watcher is synced and waits; else it catches up
            catchUp = start != 0 && start <= currentRevision;
            w.nextRevision = start == 0 ? currentRevision + 1 : start;
            if (catchUp) {
                unsynced.add(w);
            } else {
                w.synced = true;
                synced.add(w);
            }
            if (request.progressNotify()) {
                progressNotify.add(w);
            }
            open++;
        }
        if (catchUp) {
            wakeCatchUp.run();
        }
        return w;
    }

    /** The change feed: pushes the revision to the synced watchers it concerns, in one batch each. */
    @Override
    public void applied(long revision, List<Event> events) {
        synchronized (lock) {
            currentRevision = revision;
            Map<Watcher, List<Event>> batches = new LinkedHashMap<>();
            for (Event e : events) {
                for (Watcher w : synced.covering(e.kv().key())) {
                    if (w.nextRevision <= revision && w.request.accepts(e)) {
                        batches.computeIfAbsent(w, x -> new ArrayList<>()).add(e);
                    }
                }
            }
            boolean lagging = false;
            for (Map.Entry<Watcher, List<Event>> b : batches.entrySet()) {
                Watcher w = b.getKey();
                if (w.hasRoom()) {
                    w.push(new WatchBatch(revision, List.copyOf(b.getValue()), 0));
                    w.nextRevision = revision + 1;
                } else {
                    // a slow consumer: it reads this revision from the history later instead
                    w.nextRevision = revision;
                    toUnsynced(w);
                    lagging = true;
                }
            }
            if (lagging) {
                wakeCatchUp.run();
            }
        }
    }

    /** A snapshot replaced the store: every watcher reads what it may have missed from the new one. */
    @Override
    public void replaced(long newCurrentRevision) {
        synchronized (lock) {
            for (Watcher w : synced.drain()) {
                w.nextRevision = Math.max(w.nextRevision, currentRevision + 1);
                w.synced = false;
                unsynced.add(w);
            }
            currentRevision = newCurrentRevision;
        }
        wakeCatchUp.run();
    }

    /**
     * One catch-up step for up to {@link #WATCHERS_PER_ROUND} unsynced watchers with buffer room: one
     * history chunk each; a watcher that reached the current revision rejoins the synced group, one
     * whose next revision was compacted is canceled with the compact revision. Returns whether there
     * may be more to do at once.
     */
    public boolean catchUpRound() {
        record Step(Watcher watcher, long from, long to) {
        }
        List<Step> steps = new ArrayList<>();
        synchronized (lock) {
            for (Watcher w : unsynced) {
                if (steps.size() == WATCHERS_PER_ROUND) {
                    break;
                }
                if (w.buffered() < CATCH_UP_AHEAD_BATCHES) {
                    steps.add(new Step(w, w.nextRevision, currentRevision));
                }
            }
        }
        for (Step s : steps) {
            HistoryChunk chunk = null;
            long compacted = 0;
            if (s.from() <= s.to()) {
                try {
                    chunk = store.history(s.watcher().request.key(), s.watcher().request.rangeEnd(), s.from(), s.to());
                } catch (EtcdException e) {
                    if (e.error() != EtcdError.COMPACTED) {
                        throw e;
                    }
                    compacted = store.compactRevision();
                } catch (IllegalStateException closedStore) {
                    LOG.debug("watch catch-up stopped: {}", closedStore.getMessage());
                    return false;
                }
            }
            synchronized (lock) {
                Watcher w = s.watcher();
                if (w.closed || w.synced || w.nextRevision != s.from()) {
                    continue; // canceled, or moved on meanwhile
                }
                if (compacted != 0) {
                    w.push(WatchBatch.compacted(compacted));
                    remove(w);
                    continue;
                }
                if (chunk != null) {
                    List<Event> wanted = chunk.events().stream().filter(w.request::accepts).toList();
                    if (!wanted.isEmpty()) {
                        w.push(new WatchBatch(s.to(), wanted, 0));
                    }
                    w.nextRevision = chunk.nextRevision();
                }
                if (w.nextRevision > currentRevision) {
                    unsynced.remove(w);
                    w.synced = true;
                    synced.add(w);
                }
            }
        }
        return !steps.isEmpty();
    }

    /**
     * etcd's progress notification (--experimental-watch-progress-notify-interval): each synced
     * watcher that asked for it and got no events since the last tick gets an empty batch at the
     * current revision, if it has room.
     */
    public void progressTick() {
        synchronized (lock) {
            for (Watcher w : progressNotify) {
                if (!w.eventsSinceTick && w.synced && w.hasRoom()) {
                    w.push(WatchBatch.progress(currentRevision));
                }
                w.eventsSinceTick = false;
            }
        }
    }

    /** How many watchers are open. */
    public int size() {
        synchronized (lock) {
            return open;
        }
    }

    /** What the watchers hold and were sent, for etcd's watch metrics. */
    public org.ketcd.api.WatchCounts counts() {
        synchronized (lock) {
            return new org.ketcd.api.WatchCounts(unsynced.size(), pendingEvents, eventsSent);
        }
    }

    /** Cancels every watcher (their consumers see nothing more). */
    public void close() {
        store.setChangeListener(null);
        synchronized (lock) {
            for (Watcher w : synced.drain()) {
                w.closed = true;
            }
            for (Watcher w : unsynced) {
                w.closed = true;
            }
            unsynced.clear();
            progressNotify.clear();
            open = 0;
        }
    }

    WatchBatch poll(Watcher w) {
        boolean wake;
        WatchBatch b;
        synchronized (lock) {
            b = w.takeNext();
            wake = b != null && !w.synced && !w.closed && w.buffered() < CATCH_UP_AHEAD_BATCHES;
        }
        if (wake) {
            wakeCatchUp.run(); // room again for a lagging watcher
        }
        return b;
    }

    long progressRevision(Watcher w) {
        synchronized (lock) {
            return w.deliveredThrough(currentRevision);
        }
    }

    void cancel(Watcher w) {
        synchronized (lock) {
            if (!w.closed) {
                remove(w);
            }
            w.discardBuffer();
        }
    }

    /** Under the lock: forgets the watcher; its buffer stays for a last poll. */
    private void remove(Watcher w) {
        if (w.synced) {
            synced.remove(w);
        } else {
            unsynced.remove(w);
        }
        progressNotify.remove(w);
        w.closed = true;
        open--;
    }

    private void toUnsynced(Watcher w) {
        synced.remove(w);
        w.synced = false;
        unsynced.add(w);
    }
}
