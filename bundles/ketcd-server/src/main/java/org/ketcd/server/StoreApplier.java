package org.ketcd.server;

import org.ketcd.api.AlarmType;
import org.ketcd.api.EtcdError;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.mvcc.MvccStore;
import org.ketcd.raft.Command;
import org.ketcd.raft.CommandApplier;

/**
 * Applies replicated commands to this member's store. While a NOSPACE alarm is active, writes that
 * add data are refused at apply time on every member alike (etcd's applierV3Capped); deletes and
 * compaction still apply so an operator can recover.
 */
final class StoreApplier implements CommandApplier {
    private final MvccStore store;
    private final Alarms alarms;

    StoreApplier(MvccStore store, Alarms alarms) {
        this.store = store;
        this.alarms = alarms;
    }

    @Override
    public long consistentIndex() {
        return store.consistentIndex();
    }

    @Override
    public Object apply(Command command) {
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
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    @Override
    public void entryApplied(long raftIndex) {
        store.setConsistentIndex(raftIndex);
        store.commit();
    }

    private void refuseIfNoSpace() {
        if (alarms.isActive(AlarmType.NOSPACE)) {
            throw EtcdError.NO_SPACE.exception();
        }
    }

    static boolean hasPut(TxnRequest txn) {
        for (var ops : java.util.List.of(txn.success(), txn.failure())) {
            for (RequestOp op : ops) {
                if (op.put() != null || op.txn() != null && hasPut(op.txn())) {
                    return true;
                }
            }
        }
        return false;
    }
}
