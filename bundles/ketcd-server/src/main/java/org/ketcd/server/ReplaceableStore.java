package org.ketcd.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.ketcd.api.Alarm;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.CompactionResponse;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.DeleteRangeResponse;
import org.ketcd.api.HashKvResponse;
import org.ketcd.api.PutRequest;
import org.ketcd.api.PutResponse;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;
import org.ketcd.mvcc.ChangeListener;
import org.ketcd.mvcc.HistoryChunk;
import org.ketcd.mvcc.MvccOptions;
import org.ketcd.mvcc.MvccStore;

/**
 * This member's store, which a snapshot from the leader can replace as a whole while the member runs
 * (a follower that fell behind the leader's retained log). Every call runs on the current store under
 * a shared lock; the replacement takes the lock exclusively, so no call ever sees a closed store.
 */
final class ReplaceableStore implements MvccStore {
    private final Path dir;
    private final MvccOptions options;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private MvccStore current;
    /** Carried over to each store that replaces the current one. */
    private ChangeListener changeListener;

    ReplaceableStore(Path dir, MvccOptions options) {
        this.dir = dir;
        this.options = options;
        this.current = MvccStore.open(dir, options);
    }

    /**
     * Replaces the store with the copy in {@code backupDir} (made by {@link MvccStore#backupTo}); the
     * copy's directory is moved, not copied. Uncommitted writes of the old store are dropped, as the
     * snapshot supersedes them.
     */
    void replaceWith(Path backupDir) {
        lock.writeLock().lock();
        try {
            current.close();
            Path database = dir.resolve(MvccStore.databaseDirName());
            deleteRecursively(database);
            Files.move(backupDir.resolve(MvccStore.databaseDirName()), database, StandardCopyOption.ATOMIC_MOVE);
            current = MvccStore.open(dir, options);
            current.setChangeListener(changeListener);
            if (changeListener != null) {
                changeListener.replaced(current.currentRevision());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the snapshot in " + dir, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private <T> T call(Supplier<T> op) {
        lock.readLock().lock();
        try {
            return op.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void run(Runnable op) {
        lock.readLock().lock();
        try {
            op.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long currentRevision() {
        return call(() -> current.currentRevision());
    }

    @Override
    public long compactRevision() {
        return call(() -> current.compactRevision());
    }

    @Override
    public long consistentIndex() {
        return call(() -> current.consistentIndex());
    }

    @Override
    public RangeResponse range(RangeRequest r) {
        return call(() -> current.range(r));
    }

    @Override
    public PutResponse put(PutRequest r) {
        return call(() -> current.put(r));
    }

    @Override
    public DeleteRangeResponse deleteRange(DeleteRangeRequest r) {
        return call(() -> current.deleteRange(r));
    }

    @Override
    public TxnResponse txn(TxnRequest r) {
        return call(() -> current.txn(r));
    }

    @Override
    public CompactionResponse compact(CompactionRequest r) {
        return call(() -> current.compact(r));
    }

    @Override
    public void grantLease(long id, long ttl) {
        run(() -> current.grantLease(id, ttl));
    }

    @Override
    public long revokeLease(long id) {
        return call(() -> current.revokeLease(id));
    }

    @Override
    public java.util.Map<Long, Long> leases() {
        return call(() -> current.leases());
    }

    @Override
    public List<byte[]> leaseKeys(long id) {
        return call(() -> current.leaseKeys(id));
    }

    @Override
    public HistoryChunk history(byte[] key, byte[] rangeEnd, long from, long to) {
        return call(() -> current.history(key, rangeEnd, from, to));
    }

    @Override
    public void setChangeListener(ChangeListener listener) {
        lock.writeLock().lock();
        try {
            changeListener = listener;
            current.setChangeListener(listener);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void setConsistentIndex(long raftIndex) {
        run(() -> current.setConsistentIndex(raftIndex));
    }

    @Override
    public void commit() {
        run(() -> current.commit());
    }

    @Override
    public long dbSize() {
        return call(() -> current.dbSize());
    }

    @Override
    public long dbSizeInUse() {
        return call(() -> current.dbSizeInUse());
    }

    @Override
    public long keyCount() {
        return call(() -> current.keyCount());
    }

    /** The current store's commits: a restored or replaced store starts its own histogram. */
    @Override
    public org.ketcd.api.DurationHistogram.Snapshot commitDurations() {
        return call(() -> current.commitDurations());
    }

    @Override
    public org.ketcd.api.OpCounts opCounts() {
        return call(() -> current.opCounts());
    }

    @Override
    public void defragment(java.util.function.Consumer<String> progress) {
        run(() -> current.defragment(progress));
    }

    @Override
    public int hash() {
        return call(() -> current.hash());
    }

    @Override
    public HashKvResponse hashKv(long revision) {
        return call(() -> current.hashKv(revision));
    }

    @Override
    public List<Alarm> loadAlarms() {
        return call(() -> current.loadAlarms());
    }

    @Override
    public void saveAlarms(List<Alarm> alarms) {
        run(() -> current.saveAlarms(alarms));
    }

    @Override
    public byte[] loadAuth() {
        return call(() -> current.loadAuth());
    }

    @Override
    public void saveAuth(byte[] state) {
        run(() -> current.saveAuth(state));
    }

    @Override
    public void backupTo(Path targetDir) {
        run(() -> current.backupTo(targetDir));
    }

    @Override
    public void close() {
        run(() -> current.close());
    }
}
