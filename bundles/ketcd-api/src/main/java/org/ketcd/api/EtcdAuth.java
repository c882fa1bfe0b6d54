package org.ketcd.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Auth service (users, roles, permissions, tokens), as seen by one caller: every call is checked
 * with the caller's rights exactly as etcd 3.4 checks it (management needs the root role once auth is on;
 * a user may read itself and its roles). Failures carry an {@link EtcdException}.
 */
public interface EtcdAuth {

    CompletableFuture<Void> enable();

    CompletableFuture<Void> disable();

    /** Whether auth is enabled, and the auth store's revision (etcd 3.5's AuthStatus). */
    CompletableFuture<Status> status();

    /** A simple token for {@code user}, valid on every member until unused for {@code --auth-token-ttl}. */
    CompletableFuture<String> authenticate(String user, String password);

    CompletableFuture<Void> userAdd(String user, String password);

    /** The roles granted to {@code user}, sorted. */
    CompletableFuture<List<String>> userGet(String user);

    CompletableFuture<List<String>> userList();

    CompletableFuture<Void> userDelete(String user);

    CompletableFuture<Void> userChangePassword(String user, String password);

    CompletableFuture<Void> userGrantRole(String user, String role);

    CompletableFuture<Void> userRevokeRole(String user, String role);

    CompletableFuture<Void> roleAdd(String role);

    /** The role's permissions, sorted by key. */
    CompletableFuture<List<Permission>> roleGet(String role);

    CompletableFuture<List<String>> roleList();

    CompletableFuture<Void> roleDelete(String role);

    CompletableFuture<Void> roleGrantPermission(String role, Permission permission);

    CompletableFuture<Void> roleRevokePermission(String role, byte[] key, byte[] rangeEnd);

    /** etcd 3.5's AuthStatusResponse. */
    record Status(boolean enabled, long authRevision) {
    }
}
