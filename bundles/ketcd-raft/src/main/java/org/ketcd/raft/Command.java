package org.ketcd.raft;

import org.ketcd.api.Alarm;
import org.ketcd.api.AuthChange;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.Member;
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

    /**
     * A change of the cluster's member list, as every member lists it (etcd's membership store).
     * {@code PUBLISH}: a member announces its name and client URLs once it serves (etcd's publish);
     * {@code ADD}: a member is added (not yet started); {@code REMOVE}: removed (only the id counts);
     * {@code UPDATE}: its peer URLs change; {@code PROMOTE}: a learner becomes a voter.
     */
    record MemberChange(Kind kind, Member member) implements Command {
        public enum Kind { PUBLISH, ADD, REMOVE, UPDATE, PROMOTE }
    }

    /** Raise ({@code activate}) or clear an alarm, as etcd's AlarmRequest ACTIVATE/DEACTIVATE. */
    record AlarmChange(boolean activate, Alarm alarm) implements Command {
    }

    /** etcd's LeaseGrantRequest as applied: the id is chosen before proposing, the TTL is as requested. */
    record LeaseGrant(long id, long ttl) implements Command {
    }

    /** etcd's LeaseRevokeRequest: forgets the lease and deletes its keys in one revision (also how a lease expires). */
    record LeaseRevoke(long id) implements Command {
    }

    /** A change of the auth store (users, roles, permissions, enabled flag, simple tokens). */
    record Auth(AuthChange change) implements Command {
    }

    /**
     * A client's command with who sent it (etcd's RequestHeader username and auth revision): with auth
     * enabled, every member checks the user's permissions against its auth store when it applies it, so
     * all members agree. A client without credentials sends its commands unwrapped (applied as without a
     * user), except a lease revoke, wrapped with an empty {@code user}: an unwrapped revoke is a member's own
     * (lease expiry), as are alarms and a member publishing itself.
     */
    record AsUser(String user, long authRevision, Command command) implements Command {
        public AsUser {
            java.util.Objects.requireNonNull(user, "user");
            if (command instanceof AsUser) {
                throw new IllegalArgumentException("a command has one sender");
            }
        }
    }
}
