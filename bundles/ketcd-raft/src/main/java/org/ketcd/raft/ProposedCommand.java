package org.ketcd.raft;

/**
 * A command with the identity of its proposal: the member that proposed it and a request id unique on
 * that member, so the proposer can hand the applied result back to the waiting client (etcd's wait.Wait).
 */
public record ProposedCommand(long proposer, long requestId, Command command) {
}
