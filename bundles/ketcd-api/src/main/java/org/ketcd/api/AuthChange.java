package org.ketcd.api;

/**
 * A change of etcd's auth store, as replicated through Raft and applied on every member alike (etcd's
 * Auth* internal raft requests). Passwords travel only as bcrypt hashes, made by the member that took the
 * request; a simple token is chosen by that member too, so every member maps it to the same user.
 */
public sealed interface AuthChange {

    record Enable() implements AuthChange {
    }

    record Disable() implements AuthChange {
    }

    /**
     * etcd's InternalAuthenticateRequest: {@code user}'s password was checked against the auth store at
     * {@code checkedRevision} by the member that took the request; {@code token} becomes valid on every member.
     */
    record Authenticate(String user, String token, long checkedRevision) implements AuthChange {
    }

    record UserAdd(String user, byte[] passwordHash) implements AuthChange {
    }

    record UserDelete(String user) implements AuthChange {
    }

    record UserChangePassword(String user, byte[] passwordHash) implements AuthChange {
    }

    record UserGrantRole(String user, String role) implements AuthChange {
    }

    record UserRevokeRole(String user, String role) implements AuthChange {
    }

    record RoleAdd(String role) implements AuthChange {
    }

    record RoleDelete(String role) implements AuthChange {
    }

    record RoleGrantPermission(String role, Permission permission) implements AuthChange {
    }

    record RoleRevokePermission(String role, byte[] key, byte[] rangeEnd) implements AuthChange {
    }
}
