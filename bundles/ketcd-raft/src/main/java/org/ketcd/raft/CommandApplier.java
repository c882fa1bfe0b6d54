package org.ketcd.raft;

/**
 * What the state machine applies commands to (the server's MVCC store, alarms, later the lessor).
 * Called from the single apply thread, in log order.
 */
public interface CommandApplier {

    /** The last Raft index whose effects are in the store (etcd's consistent index). */
    long consistentIndex();

    /** The commands of one log entry follow; {@link #endEntry()} always closes the entry. */
    void beginEntry();

    /** Closes the entry opened by {@link #beginEntry()}, whether or not it was applied. */
    void endEntry();

    /**
     * Applies one command; returns its response, or throws an {@link org.ketcd.api.EtcdException}
     * when the command is refused (the store must then be left exactly as before the command).
     */
    Object apply(Command command);

    /**
     * All commands of the entry at {@code raftIndex} are applied: record the index. Durability may come
     * later (in batches): until then the Raft log holds the entry and a restart replays it.
     */
    void entryApplied(long raftIndex);

    /**
     * Runs {@code action} between two entries, with everything applied so far durable; applying
     * waits meanwhile. A snapshot is taken this way: its state is exactly the applied state.
     */
    <T> T betweenEntries(java.util.concurrent.Callable<T> action) throws Exception;

    /** Writes this member's whole replicated state into the empty directory {@code dir} (called between entries). */
    void writeState(java.nio.file.Path dir);

    /** Replaces this member's whole replicated state with one written by {@link #writeState} into {@code dir}. */
    void installState(java.nio.file.Path dir);
}
