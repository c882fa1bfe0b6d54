package org.ketcd.raft;

import org.ketcd.api.Alarm;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.PutRequest;
import org.ketcd.api.TxnRequest;

/** A replicated write: what goes into the Raft log and is applied in log order on every member. */
public sealed interface Command {

    record Put(PutRequest request) implements Command {
    }

    record DeleteRange(DeleteRangeRequest request) implements Command {
    }

    record Txn(TxnRequest request) implements Command {
    }

    record Compact(CompactionRequest request) implements Command {
    }

    /** Raise ({@code activate}) or clear an alarm, as etcd's AlarmRequest ACTIVATE/DEACTIVATE. */
    record AlarmChange(boolean activate, Alarm alarm) implements Command {
    }
}
