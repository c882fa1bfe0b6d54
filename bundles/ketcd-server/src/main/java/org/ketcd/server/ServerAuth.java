package org.ketcd.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.ketcd.api.AuthChange;
import org.ketcd.api.EtcdAuth;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.Permission;
import org.ketcd.raft.Command;
import org.ketcd.raft.RaftNode;
import org.ketcd.server.auth.AuthStore;

/**
 * etcd's Auth service for one caller of a member. Changes go through Raft and are checked where they are
 * applied (management needs the root role once auth is on); passwords are hashed here, before proposing,
 * so the log never holds one in clear. Reads of users and roles are linearizable (after a read barrier)
 * and checked here, as etcd's authApplierV3 checks UserGet and RoleGet.
 */
final class ServerAuth implements EtcdAuth {
    /** Authenticate proposes again when the auth store changed between the password check and the apply. */
    private static final int AUTHENTICATE_ATTEMPTS = 3;

    private final KetcdServer server;
    private final AuthStore auth;
    private final RaftNode raft;

    ServerAuth(KetcdServer server, AuthStore auth, RaftNode raft) {
        this.server = server;
        this.auth = auth;
        this.raft = raft;
    }

    @Override
    public CompletableFuture<Void> enable() {
        return change(new AuthChange.Enable());
    }

    @Override
    public CompletableFuture<Void> disable() {
        return change(new AuthChange.Disable());
    }

    @Override
    public CompletableFuture<Status> status() {
        return CompletableFuture.completedFuture(new Status(auth.enabled(), auth.revision()));
    }

    @Override
    public CompletableFuture<String> authenticate(String user, String password) {
        return authenticate(user, password, AUTHENTICATE_ATTEMPTS);
    }

    /**
     * Checks the password against everything committed so far (a read barrier first, so a user or an enable
     * just made through another member counts), then proposes the token.
     */
    private CompletableFuture<String> authenticate(String user, String password, int attemptsLeft) {
        return attempt(() -> raft.readBarrier().thenCompose(ready -> {
            long checkedRevision = auth.checkPassword(user, password);
            AuthChange.Authenticate request = new AuthChange.Authenticate(user, auth.newToken(user, checkedRevision),
                    checkedRevision);
            return server.<Object>proposeAsIs(new Command.Auth(request), 0).handle((token, error) -> {
                if (error == null) {
                    return CompletableFuture.completedFuture((String) token);
                }
                Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                if (attemptsLeft > 1 && cause instanceof EtcdException e && e.error() == EtcdError.AUTH_OLD_REVISION) {
                    return authenticate(user, password, attemptsLeft - 1);
                }
                return CompletableFuture.<String>failedFuture(cause);
            }).thenCompose(f -> f);
        }));
    }

    @Override
    public CompletableFuture<Void> userAdd(String user, String password) {
        return attempt(() -> proposeChange(new AuthChange.UserAdd(user, auth.hashPassword(password))));
    }

    @Override
    public CompletableFuture<List<String>> userGet(String user) {
        return read(() -> auth.userGet(server.callerNow(), user));
    }

    @Override
    public CompletableFuture<List<String>> userList() {
        return read(() -> auth.userList(server.callerNow()));
    }

    @Override
    public CompletableFuture<Void> userDelete(String user) {
        return change(new AuthChange.UserDelete(user));
    }

    @Override
    public CompletableFuture<Void> userChangePassword(String user, String password) {
        return attempt(() -> proposeChange(new AuthChange.UserChangePassword(user, auth.hashPassword(password))));
    }

    @Override
    public CompletableFuture<Void> userGrantRole(String user, String role) {
        return change(new AuthChange.UserGrantRole(user, role));
    }

    @Override
    public CompletableFuture<Void> userRevokeRole(String user, String role) {
        return change(new AuthChange.UserRevokeRole(user, role));
    }

    @Override
    public CompletableFuture<Void> roleAdd(String role) {
        return change(new AuthChange.RoleAdd(role));
    }

    @Override
    public CompletableFuture<List<Permission>> roleGet(String role) {
        return read(() -> auth.roleGet(server.callerNow(), role));
    }

    @Override
    public CompletableFuture<List<String>> roleList() {
        return read(() -> auth.roleList(server.callerNow()));
    }

    @Override
    public CompletableFuture<Void> roleDelete(String role) {
        return change(new AuthChange.RoleDelete(role));
    }

    @Override
    public CompletableFuture<Void> roleGrantPermission(String role, Permission permission) {
        return change(new AuthChange.RoleGrantPermission(role, permission));
    }

    @Override
    public CompletableFuture<Void> roleRevokePermission(String role, byte[] key, byte[] rangeEnd) {
        return change(new AuthChange.RoleRevokePermission(role, key, rangeEnd));
    }

    private CompletableFuture<Void> change(AuthChange change) {
        return attempt(() -> proposeChange(change));
    }

    private CompletableFuture<Void> proposeChange(AuthChange change) {
        return server.<Object>proposeAs(new Command.Auth(change)).thenApply(ignored -> null);
    }

    /** A read of the auth store after everything committed so far is applied here. */
    private <T> CompletableFuture<T> read(Supplier<T> answer) {
        return attempt(() -> {
            server.caller(); // an invalid token is refused before waiting
            return raft.readBarrier().thenApply(ready -> answer.get());
        });
    }

    private static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> step) {
        return KetcdServer.attempt(step);
    }
}
