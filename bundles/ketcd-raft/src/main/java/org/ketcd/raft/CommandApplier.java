package org.ketcd.raft;

/**
 * What the state machine applies commands to (the server's MVCC store, alarms, later the lessor).
 * Called from the single apply thread, in log order.
 */
public interface CommandApplier {

    /** The last Raft index whose effects are durable in the store (etcd's consistent index). */
    long consistentIndex();

    /**
     * Applies one command; returns its response, or throws an {@link org.ketcd.api.EtcdException}
     * when the command is refused (the store must then be left exactly as before the command).
     */
    Object apply(Command command);

    /** All commands of the entry at {@code raftIndex} are applied: record the index and make them durable. */
    void entryApplied(long raftIndex);
}
