package org.ketcd.mvcc;

import java.nio.file.Path;
import java.util.List;
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

/**
 * etcd 3.4's multi-version key-value store (its {@code mvcc} package plus the apply rules of
 * {@code etcdserver/apply.go}), persisted in an embedded Derby database.
 *
 * <p>Writes are applied immediately (readers see them at once) but reach Derby's disk only with the
 * next {@link #commit()}, together with the Raft index given to {@link #setConsistentIndex(long)}.
 * A crash or a {@link #close()} without commit reopens at the last commit. Request errors are thrown
 * as {@link org.ketcd.api.EtcdException} and leave nothing applied.
 */
public interface MvccStore extends AutoCloseable {

    /** Opens (creating if absent) the store in {@code dir}; the Derby database lives in a subdirectory. */
    static MvccStore open(Path dir, MvccOptions options) {
        return DerbyMvccStore.open(dir, options);
    }

    /** The newest revision; 1 on a fresh store, as etcd's header revision. */
    long currentRevision();

    /** The revision of the last compaction; 0 if never compacted. */
    long compactRevision();

    /**
     * The last Raft index given to {@link #setConsistentIndex(long)} (like etcd's in-memory consistent
     * index); after a reopen it is the value recorded by the last {@link #commit()}. 0 on a fresh store.
     */
    long consistentIndex();

    /** A read; safe to call from any thread while another thread writes. */
    RangeResponse range(RangeRequest r);

    /** A put: one new revision. */
    PutResponse put(PutRequest r);

    /** A delete: one new revision only if something was deleted. */
    DeleteRangeResponse deleteRange(DeleteRangeRequest r);

    /** An atomic transaction: one new revision if any write happened. */
    TxnResponse txn(TxnRequest r);

    /**
     * Grants lease {@code id} with {@code ttl} seconds (etcd's lease bucket); durable with the next
     * {@link #commit()}. {@link org.ketcd.api.EtcdError#LEASE_EXIST} if it is granted already.
     */
    void grantLease(long id, long ttl);

    /**
     * Revokes lease {@code id}: deletes the keys it holds in one revision (none if it holds none) and
     * forgets it; returns the store revision after. {@link org.ketcd.api.EtcdError#LEASE_NOT_FOUND} if not granted.
     */
    long revokeLease(long id);

    /** The granted leases, id -> TTL in seconds as granted. */
    java.util.Map<Long, Long> leases();

    /** The live keys that lease {@code id} holds, in key order. */
    List<byte[]> leaseKeys(long id);

    /**
     * At most this many events per {@link #history} call (unless one revision alone has more, which
     * comes whole): bounds the memory and the lock time of one catch-up step of a lagging watcher.
     */
    int HISTORY_CHUNK_EVENTS = 1000;

    /**
     * The events of keys in etcd's (key, rangeEnd) interval at main revisions [from, to], in (main,
     * sub) order, cut after at most {@link #HISTORY_CHUNK_EVENTS} events at a revision boundary.
     * Throws {@link org.ketcd.api.EtcdError#COMPACTED} when {@code from} is below the compact revision
     * (as etcd's watchers: the compact revision itself can still be read).
     */
    HistoryChunk history(byte[] key, byte[] rangeEnd, long from, long to);

    /** Sets the one listener told of every applied revision (null: none). */
    void setChangeListener(ChangeListener listener);

    /**
     * Drops history before {@code r.revision()}: at once for reads; the versions themselves are removed in
     * batches in the background, or before this returns when {@code physical} (as etcd's).
     */
    CompactionResponse compact(CompactionRequest r);

    /** The Raft index recorded, in the same Derby transaction as the data, by the next {@link #commit()}. */
    void setConsistentIndex(long raftIndex);

    /** Makes every write applied so far, the consistent index, the alarms and the auth state durable in one Derby transaction. */
    void commit();

    /** Keys at the current revision (deleted ones not counted), kept by the key index as it changes: for metrics. */
    long keyCount();

    /** How long each {@link #commit()} took, Derby's transaction commit with its sync to disk. */
    org.ketcd.api.DurationHistogram.Snapshot commitDurations();

    /** The ranges, puts, deletes and txns this store ran since it opened, as etcd's mvcc counts them. */
    org.ketcd.api.OpCounts opCounts();

    /** Bytes the database's data files take on disk (etcd's db size, checked against the backend quota). */
    long dbSize();

    /** Bytes of the data files in use (allocated pages, free pages excluded). */
    long dbSizeInUse();

    /** Commits, then rebuilds the Derby tables so that free space goes back to the file system. */
    default void defragment() {
        defragment(step -> {
        });
    }

    /** {@link #defragment()}, telling {@code progress} each table as its rebuild begins ("table 2 of 6 (VAL)"). */
    void defragment(java.util.function.Consumer<String> progress);

    /** Maintenance.Hash: CRC-32C over the store's content (not the consistent index), equal on members in sync. */
    int hash();

    /** Maintenance.HashKV at {@code revision} (0 = current), computed as etcd 3.4's {@code HashByRev}. */
    HashKvResponse hashKv(long revision);

    /** The alarms persisted by the last {@link #saveAlarms(List)} (committed or not). */
    List<Alarm> loadAlarms();

    /** Replaces the persisted alarms; durable with the next {@link #commit()}. */
    void saveAlarms(List<Alarm> alarms);

    /** The auth store's state as last saved by {@link #saveAuth(byte[])} (committed or not); empty if never. */
    byte[] loadAuth();

    /** Replaces the auth store's persisted state (encoded by the server); durable with the next {@link #commit()}. */
    void saveAuth(byte[] state);

    /**
     * Writes a copy of the committed store (as of the last {@link #commit()}) to {@code targetDir}, in
     * which {@link #open} can open it. For snapshots: commit first to include everything applied.
     */
    void backupTo(Path targetDir);

    /** The directory in which {@link #open} keeps the database, inside a {@link #backupTo} copy too. */
    static String databaseDirName() {
        return DerbyBackend.DATABASE_DIR;
    }

    /** Discards uncommitted writes and shuts down this store's Derby database (only this one). */
    @Override
    void close();
}
