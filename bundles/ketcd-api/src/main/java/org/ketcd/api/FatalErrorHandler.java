package org.ketcd.api;

/**
 * What a member does when it cannot go on without risking its data or diverging from its peers: a Raft
 * log write or a store commit failed (a full disk), a committed command could not be applied, Raft's own
 * threads stopped. etcd logs such an error and exits; a member that stayed up would serve nothing and
 * hide the failure from whatever supervises it.
 */
@FunctionalInterface
public interface FatalErrorHandler {
    void fatal(String reason, Throwable cause);
}
