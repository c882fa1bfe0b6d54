package org.ketcd.server;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import org.ketcd.api.AlarmType;
import org.ketcd.api.EtcdError;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.raft.Command;
import org.ketcd.raft.CommandApplier;
import org.ketcd.server.auth.AuthStore;

/**
 * Applies replicated commands to this member's store, and commits the store in groups as etcd's
 * backend does (every {@link #COMMIT_INTERVAL_MS} or {@link #COMMIT_BATCH_COMMANDS}): the Raft log is
 * already fsynced, and entries above the store's consistent index are replayed after a crash, so no
 * client waits for a Derby fsync. A commit always falls between two entries, never inside one.
 *
 * <p>While a NOSPACE alarm is active, writes that add data are refused at apply time on every member
 * alike (etcd's applierV3Capped); deletes and compaction still apply so an operator can recover. While a CORRUPT
 * alarm is active, no write, lease change or compaction applies (etcd's applierV3Corrupt).
 */
final class StoreApplier implements CommandApplier {
    /** etcd's backend batch interval: the longest applied writes stay uncommitted in Derby. */
    static final long COMMIT_INTERVAL_MS = 100;
    /** etcd's backend batch limit: commit once this many commands are uncommitted. */
    static final int COMMIT_BATCH_COMMANDS = 10_000;

    private final ReplaceableStore store;
    private final Alarms alarms;
    private final ClusterMembers members;
    private final Lessor lessor;
    private final AuthStore auth;
    /** Held by the apply thread for a whole entry, and by a flush, so a commit never splits an entry. */
    private final ReentrantLock entryLock = new ReentrantLock();
    private int uncommittedCommands;
    private long oldestUncommittedMillis;

    StoreApplier(ReplaceableStore store, Alarms alarms, ClusterMembers members, Lessor lessor, AuthStore auth) {
        this.lessor = lessor;
        this.auth = auth;
        this.store = store;
        this.alarms = alarms;
        this.members = members;
    }

    @Override
    public long consistentIndex() {
        return store.consistentIndex();
    }

    @Override
    public void beginEntry() {
        entryLock.lock();
    }

    @Override
    public void endEntry() {
        entryLock.unlock();
    }

    @Override
    public Object apply(Command command) {
        if (uncommittedCommands++ == 0) {
            oldestUncommittedMillis = System.currentTimeMillis();
        }
        refuseIfCorrupt(command instanceof Command.AsUser sent ? sent.command() : command);
        if (command instanceof Command.AsUser sent) {
            auth.checkApply(sent, store::leaseKeys);
            command = sent.command();
        } else if (!(command instanceof Command.LeaseRevoke)) {
            // a client's command without a sender; the member's own (lease expiry) are trusted, as etcd's WithRoot
            auth.checkApply(new Command.AsUser("", 0, command), store::leaseKeys);
        }
        if (command instanceof Command.Put p) {
            refuseIfNoSpace();
            return store.put(p.request());
        } else if (command instanceof Command.DeleteRange d) {
            return store.deleteRange(d.request());
        } else if (command instanceof Command.Txn t) {
            if (hasPut(t.request())) {
                refuseIfNoSpace();
            }
            return store.txn(t.request());
        } else if (command instanceof Command.Compact c) {
            return store.compact(c.request());
        } else if (command instanceof Command.AlarmChange a) {
            var changed = a.activate() ? alarms.activate(a.alarm()) : alarms.deactivate(a.alarm());
            store.saveAlarms(alarms.list());
            return changed;
        } else if (command instanceof Command.MemberChange m) {
            return members.apply(m.kind(), m.member());
        } else if (command instanceof Command.LeaseGrant g) {
            refuseIfNoSpace(); // etcd's applierV3Capped refuses grants too
            return lessor.grant(g.id(), g.ttl());
        } else if (command instanceof Command.LeaseRevoke r) {
            return lessor.revoke(r.id());
        } else if (command instanceof Command.Auth a) {
            return auth.apply(a.change());
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    @Override
    public void entryApplied(long raftIndex) {
        store.setConsistentIndex(raftIndex);
        if (uncommittedCommands >= COMMIT_BATCH_COMMANDS) {
            commit();
        }
    }

    /** Commits if the oldest uncommitted write is older than the interval; called by a timer. */
    void flushIfDue() {
        entryLock.lock();
        try {
            if (uncommittedCommands > 0 && System.currentTimeMillis() - oldestUncommittedMillis >= COMMIT_INTERVAL_MS) {
                commit();
            }
        } finally {
            entryLock.unlock();
        }
    }

    /** Commits whatever is applied; for shutdown. */
    void flush() {
        entryLock.lock();
        try {
            if (uncommittedCommands > 0) {
                commit();
            }
        } finally {
            entryLock.unlock();
        }
    }

    /** Where a state snapshot keeps the store's copy. */
    static final String SNAPSHOT_STORE_DIR = "db";

    @Override
    public <T> T betweenEntries(Callable<T> action) throws Exception {
        entryLock.lock();
        try {
            if (uncommittedCommands > 0) {
                commit();
            }
            return action.call();
        } finally {
            entryLock.unlock();
        }
    }

    @Override
    public void writeState(Path dir) {
        store.backupTo(dir.resolve(SNAPSHOT_STORE_DIR));
        members.copyTo(dir);
    }

    @Override
    public void installState(Path dir) {
        entryLock.lock();
        try {
            store.replaceWith(dir.resolve(SNAPSHOT_STORE_DIR));
            uncommittedCommands = 0;
            members.replaceFrom(dir);
            alarms.replace(store.loadAlarms());
            lessor.reload();
            auth.reload();
        } finally {
            entryLock.unlock();
        }
    }

    private void commit() {
        store.commit();
        uncommittedCommands = 0;
    }

    /** etcd's applierV3Corrupt: while a CORRUPT alarm is active, no write or compaction applies (reads are served). */
    private void refuseIfCorrupt(Command command) {
        if ((command instanceof Command.Put || command instanceof Command.DeleteRange || command instanceof Command.Txn
                || command instanceof Command.Compact || command instanceof Command.LeaseGrant
                || command instanceof Command.LeaseRevoke) && alarms.isActive(AlarmType.CORRUPT)) {
            throw EtcdError.CORRUPT.exception();
        }
    }

    private void refuseIfNoSpace() {
        if (alarms.isActive(AlarmType.NOSPACE)) {
            throw EtcdError.NO_SPACE.exception();
        }
    }

    static boolean hasPut(TxnRequest txn) {
        for (var ops : List.of(txn.success(), txn.failure())) {
            for (RequestOp op : ops) {
                if (op.put() != null || op.txn() != null && hasPut(op.txn())) {
                    return true;
                }
            }
        }
        return false;
    }
}
