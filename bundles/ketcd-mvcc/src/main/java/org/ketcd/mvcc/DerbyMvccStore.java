package org.ketcd.mvcc;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;
import org.ketcd.api.Alarm;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.CompactionResponse;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.DeleteRangeResponse;
import org.ketcd.api.EtcdError;
import org.ketcd.api.Event;
import org.ketcd.api.HashKvResponse;
import org.ketcd.api.KeyValue;
import org.ketcd.api.PutRequest;
import org.ketcd.api.PutResponse;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.api.RequestOp;
import org.ketcd.api.ResponseOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.api.TxnResponse;

/**
 * {@link MvccStore} on Derby, with the key index in memory as etcd's treeIndex: keys and their versions'
 * revisions are on the heap ({@link KeyIndex}), values are in Derby and read by revision, through a
 * byte-bounded cache ({@link Values}). Opening rebuilds the index from the version rows without reading a
 * value. Reads run under a shared read lock concurrently with each other; writes, commits and Derby
 * maintenance take the exclusive lock, and a write holds it while its rows go into the open Derby
 * transaction, so a reader never sees half a transaction. Derby keeps its fsync on, but commits only when
 * {@link #commit()} is called (the Raft log gives durability in between).
 *
 * <p>Request semantics follow etcd 3.4's {@code mvcc/kvstore_txn.go} and {@code etcdserver/apply.go}.
 */
final class DerbyMvccStore implements MvccStore {

    /** etcd's compactMainRev before any compaction. */
    private static final long NEVER_COMPACTED = -1;
    /** The smallest key, with {@link Bytes#FROM_KEY}: every key. */
    private static final byte[] ALL_KEYS = {0};

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Lock readLock = lock.readLock();
    private final Lock writeLock = lock.writeLock();
    private final KeyIndex index = new KeyIndex();
    private final org.ketcd.api.DurationHistogram commitDurations = new org.ketcd.api.DurationHistogram();
    private final OpCounter ops = new OpCounter();
    private final DerbyBackend backend;
    private final Values values;
    private final RangeReader ranges;
    /** The largest range answer built for a read (see RangeBudget); write txns are not bounded. */
    private final long maxRangeResponseBytes;
    /** Runs compactions' removals one after another, off the caller's thread (see compact). */
    private final java.util.concurrent.ExecutorService compactions = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ketcd-mvcc-compaction");
        t.setDaemon(true);
        return t;
    });
    /** Granted leases and the live keys each holds (etcd's lease bucket plus the lessor's item map). */
    private final Leases leases = new Leases();

    // all guarded by lock
    private long currentRev;
    private long compactRev;
    private final StoreSize size;
    private long consistentIndex;
    private boolean consistentIndexDirty;
    private List<Alarm> alarms;
    private boolean alarmsDirty;
    private byte[] authState;
    private boolean authDirty;
    private boolean closed;
    /** Told of each applied revision (see finish); volatile as it is set from another thread than the writer's. */
    private volatile ChangeListener changeListener;
    /** Run on the compaction thread after each batch, outside the lock (for tests that meet a compaction halfway). */
    private volatile Runnable afterCompactionBatch = () -> { };

    private DerbyMvccStore(DerbyBackend backend, MvccOptions options) {
        this.backend = backend;
        this.values = new Values(backend, options.valueCacheBytes());
        this.ranges = new RangeReader(index, values);
        this.maxRangeResponseBytes = options.maxRangeResponseBytes();
        backend.loadAll(index::load);
        compactRev = backend.readMeta(DerbyBackend.META_COMPACT_REVISION, NEVER_COMPACTED);
        size = StoreSize.load(backend);
        consistentIndex = backend.readMeta(DerbyBackend.META_CONSISTENT_INDEX, 0);
        alarms = List.copyOf(backend.readAlarms());
        authState = backend.readAuth();
        // as etcd's restore: a fresh store is at revision 1; a compaction may have dropped the newest tombstone
        currentRev = Math.max(1, Math.max(index.newestRevision(), compactRev));
        backend.readLeases().forEach(leases::grant);
        long compacted = compactRev;
        if (compacted > 0) {
            // a compaction whose removals were not all committed before a stop goes on where it was
            compactions.submit(() -> removeCompacted(compacted));
        }
        if (!leases.isEmpty()) {
            for (KeyValue kv : index.range(ALL_KEYS, Bytes.FROM_KEY, currentRev)) {
                leases.move(kv.key(), 0, kv.lease());
            }
        }
    }

    static MvccStore open(Path dir, MvccOptions options) {
        DerbyBackend backend = new DerbyBackend(dir, options.pageCachePages());
        try {
            return new DerbyMvccStore(backend, options);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    // ---- reads of store state

    /** Versions the key index holds now (for tests). */
    long indexedVersions() {
        return underRead(() -> (long) index.entriesByRevision().size());
    }

    /** Where Derby keeps this store's database (for tests). */
    Path databaseDir() {
        return backend.databaseDir();
    }

    /**
     * Runs {@code step} on the compaction thread after each batch, outside the store's lock (for tests: a step
     * that blocks holds the compaction between two batches; {@link #close()} interrupts it).
     */
    void afterEachCompactionBatch(Runnable step) {
        afterCompactionBatch = step;
    }

    /** Bytes the value cache holds now (for tests). */
    long cachedValueBytes() {
        return values.cache().bytes();
    }

    @Override
    public long currentRevision() {
        return underRead(() -> currentRev);
    }

    @Override
    public long compactRevision() {
        return underRead(() -> Math.max(0, compactRev));
    }

    @Override
    public long consistentIndex() {
        return underRead(() -> consistentIndex);
    }

    // ---- KV requests

    @Override
    public RangeResponse range(RangeRequest r) {
        OpCounter.Tally tally = new OpCounter.Tally();
        tally.range();
        try {
            return underRead(() -> ranges.read(r, currentRev, compactRev, new RangeBudget(maxRangeResponseBytes)));
        } finally {
            ops.end(tally);
        }
    }

    @Override
    public PutResponse put(PutRequest r) {
        return underWrite(() -> {
            checkLease(r.lease());
            WriteTxn t = new WriteTxn(currentRev);
            try {
                PutResponse resp = put(t, r);
                finish(t);
                return resp;
            } finally {
                ops.end(t.tally);
            }
        });
    }

    @Override
    public DeleteRangeResponse deleteRange(DeleteRangeRequest r) {
        return underWrite(() -> {
            WriteTxn t = new WriteTxn(currentRev);
            try {
                DeleteRangeResponse resp = delete(t, r);
                finish(t);
                return resp;
            } finally {
                ops.end(t.tally);
            }
        });
    }

    @Override
    public TxnResponse txn(TxnRequest r) {
        // a read-only txn holds the shared lock, as etcd serves it from a read view
        boolean readOnly = isReadOnly(r);
        Lock l = readOnly ? readLock : writeLock;
        l.lock();
        try {
            ensureOpen();
            long viewRev = currentRev;
            // etcd evaluates every compare, nested ones included, on the view before the txn
            List<Boolean> path = new ArrayList<>();
            OpCounter.Tally view = new OpCounter.Tally();
            boolean checked = false;
            try {
                compareToPath(r, viewRev, path, view);
                checkRequests(r, path, new int[] {0}, true, viewRev, view);
                checkRequests(r, path, new int[] {0}, false, viewRev, view);
                checked = true;
            } finally {
                // a write txn's branch runs in a store transaction of its own, as in etcd; a refused txn ends here
                if (!readOnly || !checked) {
                    ops.end(view);
                }
            }
            // a read-only txn's answer is built by this member alone; a write txn's on every member alike
            WriteTxn t = new WriteTxn(viewRev, new RangeBudget(readOnly ? maxRangeResponseBytes : RangeBudget.UNBOUNDED),
                    readOnly ? view : new OpCounter.Tally());
            TxnResponse nested;
            java.sql.Savepoint savepoint = readOnly ? null : backend.savepoint();
            try {
                nested = applyTxn(t, r, path, new int[] {0});
                if (savepoint != null) {
                    backend.release(savepoint);
                }
            } catch (RuntimeException e) {
                // only reachable past etcd's up-front checks (e.g. a Derby fault): undo, leave nothing applied
                for (int i = t.written.size() - 1; i >= 0; i--) {
                    KeyIndex.Entry undone = t.written.get(i);
                    size.removed(versionBytes(undone));
                    index.removeNewest(undone);
                    values.removed(undone.rev());
                    if (!leases.isEmpty()) {
                        KeyValue restored = index.get(undone.kv().key(), Long.MAX_VALUE);
                        leases.move(undone.kv().key(), undone.tombstone() ? 0 : undone.kv().lease(),
                                restored == null ? 0 : restored.lease());
                    }
                }
                if (savepoint != null) {
                    backend.rollbackTo(savepoint);
                }
                throw e;
            } finally {
                ops.end(t.tally);
            }
            long rev = t.changes > 0 ? t.beginRev + 1 : t.beginRev;
            finish(t);
            return new TxnResponse(rev, nested.succeeded(), nested.responses());
        } finally {
            l.unlock();
        }
    }

    @Override
    public CompactionResponse compact(CompactionRequest r) {
        CompactionResponse response = underWrite(() -> {
            if (r.revision() <= compactRev) {
                throw EtcdError.COMPACTED.exception();
            }
            if (r.revision() > currentRev) {
                throw EtcdError.FUTURE_REV.exception();
            }
            compactRev = r.revision();
            backend.writeMeta(DerbyBackend.META_COMPACT_REVISION, compactRev);
            return new CompactionResponse(currentRev);
        });
        // from here on the history below compactRev cannot be read; its versions go in batches, in the background
        // unless the client asked to wait (etcd's physical), as etcd's scheduleCompaction does
        Future<?> removal = compactions.submit(() -> removeCompacted(r.revision()));
        if (r.physical()) {
            awaitQuietly(removal);
        }
        return response;
    }

    /** Keys whose versions one compaction batch goes through while it holds the store (etcd's compaction-batch-limit). */
    static final int COMPACTION_BATCH_KEYS = 1_000;

    /**
     * Removes the versions a compaction at {@code atRev} drops, {@link #COMPACTION_BATCH_KEYS} keys at a time,
     * each batch under the write lock, so that reads and writes go on between batches. The deletions join the
     * open Derby transaction; a crash before its commit leaves them to the next open, which compacts again.
     */
    private void removeCompacted(long atRev) {
        byte[] from = new byte[0];
        while (from != null) {
            writeLock.lock();
            try {
                if (closed) {
                    return;
                }
                KeyIndex.CompactedBatch batch = index.compact(atRev, from, COMPACTION_BATCH_KEYS);
                size.removed(backend.delete(batch.removed()));
                batch.removed().forEach(values::removed);
                from = batch.nextKey();
            } finally {
                writeLock.unlock();
            }
            afterCompactionBatch.run();
        }
    }

    private static void awaitQuietly(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("compaction failed", e.getCause());
        }
    }

    // ---- leases (their expiry is the leader's business, not the store's)

    @Override
    public void grantLease(long id, long ttl) {
        underWrite(() -> {
            if (leases.exists(id)) {
                throw EtcdError.LEASE_EXIST.exception();
            }
            backend.insertLease(id, ttl);
            leases.grant(id, ttl);
            return null;
        });
    }

    @Override
    public long revokeLease(long id) {
        return underWrite(() -> {
            if (!leases.exists(id)) {
                throw EtcdError.LEASE_NOT_FOUND.exception();
            }
            WriteTxn t = new WriteTxn(currentRev);
            try {
                for (byte[] key : leases.keys(id)) {
                    delete(t, new DeleteRangeRequest(key, Bytes.EMPTY, false));
                }
                backend.deleteLease(id);
                leases.remove(id);
                finish(t);
            } finally {
                ops.end(t.tally);
            }
            return currentRev;
        });
    }

    @Override
    public Map<Long, Long> leases() {
        return underRead(leases::ttls);
    }

    @Override
    public List<byte[]> leaseKeys(long id) {
        return underRead(() -> leases.keys(id));
    }

    // ---- the change feed and history, for watchers

    @Override
    public void setChangeListener(ChangeListener listener) {
        changeListener = listener;
    }

    @Override
    public HistoryChunk history(byte[] key, byte[] rangeEnd, long from, long to) {
        return underRead(() -> {
            if (from < compactRev) {
                throw EtcdError.COMPACTED.exception();
            }
            KeyIndex.Slice slice = index.history(key, nz(rangeEnd), from, Math.min(to, currentRev), HISTORY_CHUNK_EVENTS);
            return new HistoryChunk(slice.entries().stream().map(this::event).toList(), slice.nextRevision());
        });
    }

    private Event event(KeyIndex.Entry e) {
        return e.tombstone() ? Event.delete(e.kv().key(), e.rev().main()) : Event.put(values.withValue(e));
    }

    // ---- batching and persistence

    @Override
    public void setConsistentIndex(long raftIndex) {
        underWrite(() -> {
            consistentIndex = raftIndex;
            consistentIndexDirty = true;
            return null;
        });
    }

    @Override
    public void commit() {
        underWrite(() -> {
            commitLocked();
            return null;
        });
    }

    private void commitLocked() {
        if (consistentIndexDirty) {
            backend.writeMeta(DerbyBackend.META_CONSISTENT_INDEX, consistentIndex);
            consistentIndexDirty = false;
        }
        if (alarmsDirty) {
            backend.writeAlarms(alarms);
            alarmsDirty = false;
        }
        if (authDirty) {
            backend.writeAuth(authState);
            authDirty = false;
        }
        size.save(backend);
        long start = System.nanoTime();
        backend.commit();
        commitDurations.observe(System.nanoTime() - start);
    }

    @Override
    public org.ketcd.api.DurationHistogram.Snapshot commitDurations() {
        return commitDurations.snapshot();
    }

    @Override
    public org.ketcd.api.OpCounts opCounts() {
        return ops.counts();
    }

    @Override
    public long keyCount() {
        return underRead(index::liveKeyCount);
    }

    /** The most the store held since the last defragment ({@link StoreSize}); read by every put's quota check. */
    @Override
    public long dbSize() {
        return size.highest();
    }

    /** What the store holds now ({@link StoreSize}). */
    @Override
    public long dbSizeInUse() {
        return size.inUse();
    }

    @Override
    public void defragment(java.util.function.Consumer<String> progress) {
        underWrite(() -> {
            commitLocked();
            backend.compress(progress);
            size.defragmented();
            commitLocked();
            return null;
        });
    }

    @Override
    public List<Alarm> loadAlarms() {
        return underRead(() -> alarms);
    }

    @Override
    public void saveAlarms(List<Alarm> newAlarms) {
        underWrite(() -> {
            alarms = List.copyOf(newAlarms);
            alarmsDirty = true;
            return null;
        });
    }

    @Override
    public byte[] loadAuth() {
        return underRead(() -> authState.clone());
    }

    @Override
    public void saveAuth(byte[] state) {
        underWrite(() -> {
            authState = state.clone();
            authDirty = true;
            return null;
        });
    }

    @Override
    public void backupTo(Path targetDir) {
        readLock.lock();
        try {
            backend.backupTo(targetDir);
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (!closed) {
                closed = true;
                compactions.shutdownNow();
                backend.close();
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ---- hashes

    @Override
    public int hash() {
        return underRead(() -> {
            CRC32C crc = new CRC32C();
            StoreHashes.forEachWithValue(index.entriesByRevision(), backend, e -> hashEntry(crc, e));
            crc.update(longBytes(compactRev));
            return (int) crc.getValue();
        });
    }

    @Override
    public HashKvResponse hashKv(long revision) {
        return underRead(() -> {
            if (revision > 0 && revision <= compactRev) {
                throw EtcdError.COMPACTED.exception();
            }
            if (revision > 0 && revision > currentRev) {
                throw EtcdError.FUTURE_REV.exception();
            }
            long rev = revision == 0 ? currentRev : revision;
            // as etcd's HashByRev: versions at or below the compact revision count only if a compaction
            // at rev would keep them
            Set<Revision> keep = index.keep(rev);
            List<KeyIndex.Entry> hashed = new ArrayList<>();
            for (KeyIndex.Entry e : index.entriesByRevision()) {
                long main = e.rev().main();
                if (main > rev) {
                    break;
                }
                if (main <= compactRev && !keep.isEmpty() && !keep.contains(e.rev())) {
                    continue;
                }
                hashed.add(e);
            }
            CRC32C crc = new CRC32C();
            crc.update(EtcdBackendEncoding.KEY_BUCKET);
            StoreHashes.forEachWithValue(hashed, backend, e -> {
                crc.update(EtcdBackendEncoding.revisionKey(e.rev(), e.tombstone()));
                crc.update(EtcdBackendEncoding.keyValue(e.kv(), e.tombstone()));
            });
            return new HashKvResponse(currentRev, (int) crc.getValue(), compactRev);
        });
    }

    private static void hashEntry(CRC32C crc, KeyIndex.Entry e) {
        KeyValue kv = e.kv();
        crc.update(longBytes(e.rev().main()));
        crc.update(longBytes(e.rev().sub()));
        crc.update(e.tombstone() ? 1 : 0);
        crc.update(longBytes(kv.key().length));
        crc.update(kv.key());
        crc.update(longBytes(kv.value().length));
        crc.update(kv.value());
        crc.update(longBytes(kv.createRevision()));
        crc.update(longBytes(kv.version()));
        crc.update(longBytes(kv.lease()));
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
    }

    // ---- etcd's apply rules

    /** One write transaction: every change gets main revision beginRev + 1 and the next sub revision. */
    private static final class WriteTxn {
        final long beginRev;
        final List<KeyIndex.Entry> written = new ArrayList<>();
        /** Shared by every range of the txn: they go into one answer. */
        final RangeBudget budget;
        final OpCounter.Tally tally;
        int changes;

        /** A txn of puts and deletes only: nothing to read into its answer. */
        WriteTxn(long beginRev) {
            this(beginRev, new RangeBudget(RangeBudget.UNBOUNDED), new OpCounter.Tally());
        }

        WriteTxn(long beginRev, RangeBudget budget, OpCounter.Tally tally) {
            this.beginRev = beginRev;
            this.budget = budget;
            this.tally = tally;
        }

        /** The revision reads inside the txn use: they see the txn's own earlier writes. */
        long readRev() {
            return changes > 0 ? beginRev + 1 : beginRev;
        }
    }

    /** Ends every write: the one place a new revision becomes current and is told to the change feed. */
    private void finish(WriteTxn t) {
        if (t.changes > 0) {
            currentRev = t.beginRev + 1;
            ChangeListener listener = changeListener;
            if (listener != null) {
                listener.applied(currentRev, t.written.stream().map(this::event).toList());
            }
        }
    }

    /** etcd's applierV3backend.Put inside a write txn; lease existence is checked by the caller. */
    private PutResponse put(WriteTxn t, PutRequest p) {
        KeyValue prev = null;
        if (p.ignoreValue() || p.ignoreLease() || p.prevKv()) {
            t.tally.range();
            KeyIndex.Entry live = index.getEntry(p.key(), t.readRev());
            prev = live == null ? null : values.withValue(live);
        }
        if ((p.ignoreValue() || p.ignoreLease()) && prev == null) {
            throw EtcdError.KEY_NOT_FOUND.exception();
        }
        byte[] value = p.ignoreValue() ? prev.value() : nz(p.value());
        long lease = p.ignoreLease() ? prev.lease() : p.lease();
        t.tally.put(p.key().length, value.length);
        long rev = t.beginRev + 1;
        KeyValue latest = index.get(p.key(), rev);
        long created = latest == null ? rev : latest.createRevision();
        long version = latest == null ? 1 : latest.version() + 1;
        // a new version shares the key array of the live one (the index keeps one per key)
        byte[] key = latest == null ? p.key().clone() : latest.key();
        KeyValue kv = new KeyValue(key, created, rev, version, value.clone(), lease);
        write(t, new KeyIndex.Entry(new Revision(rev, t.changes), kv, false));
        return new PutResponse(rev, p.prevKv() ? prev : null);
    }

    /** etcd's applierV3backend.DeleteRange inside a write txn. */
    private DeleteRangeResponse delete(WriteTxn t, DeleteRangeRequest d) {
        t.tally.delete();
        if (d.prevKv()) {
            t.tally.range();
        }
        List<KeyIndex.Entry> victims = index.rangeEntries(d.key(), nz(d.rangeEnd()), t.readRev());
        List<KeyValue> prevKvs = new ArrayList<>();
        if (d.prevKv()) {
            for (KeyIndex.Entry e : victims) {
                prevKvs.add(values.withValue(e)); // before the tombstones: read in this transaction's view
            }
        }
        long rev = t.beginRev + 1;
        for (KeyIndex.Entry e : victims) {
            KeyValue tomb = new KeyValue(e.kv().key(), 0, rev, 0, Bytes.EMPTY, 0);
            write(t, new KeyIndex.Entry(new Revision(rev, t.changes), tomb, true));
        }
        long respRev = victims.isEmpty() && t.changes == 0 ? t.beginRev : rev;
        return new DeleteRangeResponse(respRev, victims.size(), List.copyOf(prevKvs));
    }

    private static long versionBytes(KeyIndex.Entry e) {
        return StoreSize.version(e.kv().key().length, e.tombstone() ? 0 : e.kv().value().length);
    }

    private void write(WriteTxn t, KeyIndex.Entry e) {
        // With no lease granted no live key holds one, and a put cannot name one: nothing to track.
        KeyValue before = leases.isEmpty() ? null : index.get(e.kv().key(), Long.MAX_VALUE);
        backend.insert(e); // first, so that a Derby fault leaves the index untouched
        KeyValue kv = e.kv();
        size.added(versionBytes(e));
        if (!e.tombstone()) {
            values.written(e.rev(), kv.value());
        }
        // the index keeps no value (null): reads get it from Values
        index.append(new KeyIndex.Entry(e.rev(),
                new KeyValue(kv.key(), kv.createRevision(), kv.modRevision(), kv.version(), null, kv.lease()), e.tombstone()));
        if (!leases.isEmpty()) {
            leases.move(e.kv().key(), before == null ? 0 : before.lease(), e.tombstone() ? 0 : e.kv().lease());
        }
        t.written.add(e);
        t.changes++;
    }

    private void checkLease(long lease) {
        if (lease != 0 && !leases.exists(lease)) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
    }

    private static boolean isReadOnly(TxnRequest r) {
        return ops(r.success()).stream().allMatch(op -> op.range() != null)
            && ops(r.failure()).stream().allMatch(op -> op.range() != null);
    }

    /** etcd's compareToPath: the branch taken by this txn and, depth first, by each nested txn on it. */
    private void compareToPath(TxnRequest r, long viewRev, List<Boolean> path, OpCounter.Tally tally) {
        boolean ok = true;
        for (Compare c : r.compare() == null ? List.<Compare>of() : r.compare()) {
            tally.range(); // etcd reads each compare's key or range
            if (!applyCompare(c, viewRev)) {
                ok = false;
                break;
            }
        }
        path.add(ok);
        for (RequestOp op : ops(ok ? r.success() : r.failure())) {
            if (op.txn() != null) {
                compareToPath(op.txn(), viewRev, path, tally);
            }
        }
    }

    private boolean applyCompare(Compare c, long viewRev) {
        List<KeyIndex.Entry> found = index.rangeEntries(c.key(), nz(c.rangeEnd()), viewRev);
        if (found.isEmpty()) {
            // etcd: a value compare on missing keys always fails; others compare against a zero key-value
            return c.target() != Compare.Target.VALUE && compareKv(c, new KeyValue(c.key(), 0, 0, 0, Bytes.EMPTY, 0));
        }
        for (KeyIndex.Entry e : found) {
            if (!compareKv(c, c.target() == Compare.Target.VALUE ? values.withValue(e) : e.kv())) {
                return false;
            }
        }
        return true;
    }

    private static boolean compareKv(Compare c, KeyValue kv) {
        int result = switch (c.target()) {
            case VALUE -> Integer.signum(Bytes.compare(kv.value(), nz(c.value())));
            case CREATE -> Long.compare(kv.createRevision(), c.number());
            case MOD -> Long.compare(kv.modRevision(), c.number());
            case VERSION -> Long.compare(kv.version(), c.number());
            case LEASE -> Long.compare(kv.lease(), c.number());
        };
        return switch (c.result()) {
            case EQUAL -> result == 0;
            case NOT_EQUAL -> result != 0;
            case GREATER -> result > 0;
            case LESS -> result < 0;
        };
    }

    /**
     * etcd's checkRequests: before anything is written, puts on the chosen path are checked for
     * KEY_NOT_FOUND / LEASE_NOT_FOUND ({@code puts}), or ranges for FUTURE_REV / COMPACTED.
     */
    private void checkRequests(TxnRequest r, List<Boolean> path, int[] pos, boolean puts, long viewRev,
                               OpCounter.Tally tally) {
        boolean ok = path.get(pos[0]++);
        for (RequestOp op : ops(ok ? r.success() : r.failure())) {
            if (op.txn() != null) {
                checkRequests(op.txn(), path, pos, puts, viewRev, tally);
            } else if (puts && op.put() != null) {
                PutRequest p = op.put();
                if (p.ignoreValue() || p.ignoreLease()) {
                    tally.range(); // etcd reads the key a put means to keep the value or lease of
                    if (index.get(p.key(), viewRev) == null) {
                        throw EtcdError.KEY_NOT_FOUND.exception();
                    }
                }
                checkLease(p.lease());
            } else if (!puts && op.range() != null && op.range().revision() != 0) {
                if (op.range().revision() > viewRev) {
                    throw EtcdError.FUTURE_REV.exception();
                }
                if (op.range().revision() < compactRev) {
                    throw EtcdError.COMPACTED.exception();
                }
            }
        }
    }

    /** etcd's applyTxn; a nested txn's own revision is 0, as etcd leaves its header empty. */
    private TxnResponse applyTxn(WriteTxn t, TxnRequest r, List<Boolean> path, int[] pos) {
        boolean ok = path.get(pos[0]++);
        List<ResponseOp> responses = new ArrayList<>();
        for (RequestOp op : ops(ok ? r.success() : r.failure())) {
            if (op.range() != null) {
                t.tally.range();
                responses.add(new ResponseOp(ranges.read(op.range(), t.readRev(), compactRev, t.budget), null, null, null));
            } else if (op.put() != null) {
                responses.add(new ResponseOp(null, put(t, op.put()), null, null));
            } else if (op.delete() != null) {
                responses.add(new ResponseOp(null, null, delete(t, op.delete()), null));
            } else if (op.txn() != null) {
                responses.add(new ResponseOp(null, null, null, applyTxn(t, op.txn(), path, pos)));
            }
        }
        return new TxnResponse(0, ok, List.copyOf(responses));
    }

    private static List<RequestOp> ops(List<RequestOp> ops) {
        return ops == null ? List.of() : ops;
    }

    static byte[] nz(byte[] b) {
        return b == null ? Bytes.EMPTY : b;
    }

    // ---- locking

    private interface Body<T> {
        T run();
    }

    private <T> T underRead(Body<T> body) {
        readLock.lock();
        try {
            ensureOpen();
            return body.run();
        } finally {
            readLock.unlock();
        }
    }

    private <T> T underWrite(Body<T> body) {
        writeLock.lock();
        try {
            ensureOpen();
            return body.run();
        } finally {
            writeLock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("MVCC store is closed");
        }
    }
}
