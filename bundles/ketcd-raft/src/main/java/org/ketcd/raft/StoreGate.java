package org.ketcd.raft;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps Raft's threads (the apply thread, snapshot senders and installers) off the store once the member
 * closes it. Ratis may still run its apply thread after the server's close returned (its stop waits only
 * so long); an apply or a snapshot against a closed Derby database fails, and Ratis' apply thread then
 * retries the failing stop snapshot in a tight loop. Closing waits for whoever is inside.
 */
final class StoreGate {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /** Enters if the store is still open; a {@code true} answer must be followed by {@link #leave()}. */
    boolean enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            return false;
        }
        return true;
    }

    void leave() {
        lock.readLock().unlock();
    }

    /** Waits until nobody is inside, then lets nobody in again. */
    void close() {
        lock.writeLock().lock();
        try {
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
