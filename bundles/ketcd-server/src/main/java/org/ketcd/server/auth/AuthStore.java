package org.ketcd.server.auth;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.ketcd.api.AuthChange;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.Permission;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;
import org.ketcd.mvcc.MvccStore;
import org.ketcd.raft.Command;

/**
 * One member's auth store (etcd's {@code auth/store.go}): the replicated state of users, roles and
 * permissions, kept in the MVCC store beside the data (and so in snapshots), the simple tokens of this
 * member, and every permission check. Writes are checked when applied, with the sender and auth revision
 * their command carries, so every member decides alike; reads are checked by the member that serves them.
 */
public final class AuthStore {
    private final MvccStore store;
    private final Passwords passwords;
    private final SimpleTokens tokens;
    /** With --auth-token jwt,...: signed tokens instead of simple ones (null: simple tokens). */
    private final JwtTokens jwt;
    /** Makes tokens chosen on this member distinct. */
    private final AtomicLong tokenCounter = new AtomicLong(System.nanoTime());
    /** Replaced (never changed) by the apply thread; read by any thread. */
    private volatile AuthState state;

    /** {@code authToken}: etcd's --auth-token, "simple" or "jwt,sign-method=...,priv-key=...,pub-key=...,ttl=...". */
    public AuthStore(MvccStore store, int bcryptCost, long tokenTtlSeconds, String authToken) {
        this.store = store;
        this.passwords = new Passwords(bcryptCost);
        this.tokens = new SimpleTokens(tokenTtlSeconds, System::nanoTime);
        this.jwt = jwtTokens(authToken);
        reload();
    }

    /**
     * Checks etcd's --auth-token value: "simple", or "jwt" with its options (keys readable, a known sign
     * method); an IllegalArgumentException says what is wrong, in etcd's words where it has them.
     */
    public static void checkAuthToken(String authToken) {
        jwtTokens(authToken);
    }

    private static JwtTokens jwtTokens(String authToken) {
        String[] parts = authToken.split(",");
        if (parts[0].equals("simple") && parts.length == 1) {
            return null;
        }
        if (!parts[0].equals("jwt")) {
            throw new IllegalArgumentException("auth: invalid auth options (unknown token type \"" + parts[0] + "\")");
        }
        java.util.Map<String, String> options = new java.util.HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] pair = parts[i].split("=", 2);
            if (pair.length != 2 || options.putIfAbsent(pair[0], pair[1]) != null) {
                throw new IllegalArgumentException("auth: invalid auth options (\"" + parts[i] + "\")");
            }
        }
        return JwtTokens.fromOptions(options, () -> System.currentTimeMillis() / 1000);
    }

    /** Reads the state from the store: at start, and after a snapshot replaced the store. */
    public void reload() {
        state = AuthStateCodec.decode(store.loadAuth());
        if (!state.enabled()) {
            tokens.clear();
        }
    }

    public boolean enabled() {
        return state.enabled();
    }

    public long revision() {
        return state.revision();
    }

    // ---- the member that takes a request

    public byte[] hashPassword(String password) {
        return passwords.hash(password);
    }

    /** A token for {@code user}, whose password was checked at auth revision {@code revision}. */
    public String newToken(String user, long revision) {
        if (jwt != null) {
            if (!jwt.canIssue()) {
                throw new org.ketcd.api.EtcdException(EtcdError.AUTH_UNMAPPED, "auth: token signing attempted with verify-only key");
            }
            return jwt.issue(user, revision);
        }
        return tokens.newToken(tokenCounter.incrementAndGet());
    }

    /**
     * Checks {@code user}'s password (etcd's CheckPassword); returns the auth revision it was checked at.
     * Refuses with AUTH_NOT_ENABLED, or AUTH_FAILED for an unknown user or a wrong password.
     */
    public long checkPassword(String user, String password) {
        AuthState s = state;
        if (!s.enabled()) {
            throw EtcdError.AUTH_NOT_ENABLED.exception();
        }
        AuthState.User u = s.users().get(user);
        if (u == null || !Passwords.matches(u.passwordHash(), password)) {
            throw EtcdError.AUTH_FAILED.exception();
        }
        return s.revision();
    }

    /**
     * Checks a password for a caller that keeps acting as {@code user} (HTTP Basic, a Camel endpoint): with
     * auth enabled as {@link #checkPassword}; with auth disabled against the user if it exists (nothing is
     * refused yet, but a wrong password is not carried into the time auth gets enabled).
     */
    public void checkUserPassword(String user, String password) {
        AuthState s = state;
        if (s.enabled()) {
            checkPassword(user, password);
            return;
        }
        AuthState.User u = s.users().get(user);
        if (u != null && !Passwords.matches(u.passwordHash(), password)) {
            throw EtcdError.AUTH_FAILED.exception();
        }
    }

    /**
     * The caller a token stands for: a simple token's user at the current auth revision, a JWT's user at the
     * revision it was issued at; null if the token is not a live one.
     */
    public Caller callerOf(String token) {
        if (jwt != null) {
            return jwt.verify(token);
        }
        String user = tokens.userOf(token);
        return user == null ? null : new Caller(user, state.revision());
    }

    // ---- reads (checked by the member that serves them)

    /** etcd's doSerialize check for a range (key, rangeEnd) read by {@code caller}. */
    public void checkRead(Caller caller, byte[] key, byte[] rangeEnd) {
        AuthState s = state;
        refuseOldRevision(s, caller);
        checkOp(s, caller, key, rangeEnd, false);
    }

    /** A transaction's compares and operations, as etcd's checkTxnAuth. */
    public void checkTxn(Caller caller, TxnRequest txn) {
        AuthState s = state;
        refuseOldRevision(s, caller);
        checkTxn(s, caller, txn);
    }

    /** etcd's IsAdminPermitted: with auth enabled, the caller must be a user with the root role. */
    public void checkAdmin(Caller caller) {
        checkAdmin(state, caller);
    }

    /** etcd's UserGet rule: an admin, or the user itself. */
    public List<String> userGet(Caller caller, String user) {
        AuthState s = state;
        if (!user.equals(caller.user())) {
            checkAdmin(s, caller);
        }
        return s.existingUser(user).roles();
    }

    /** etcd's RoleGet rule: an admin, or a user granted the role. */
    public List<Permission> roleGet(Caller caller, String role) {
        AuthState s = state;
        AuthState.User u = s.users().get(caller.user());
        if (u == null || !u.hasRole(role)) {
            checkAdmin(s, caller);
        }
        return s.existingRole(role).permissions();
    }

    public List<String> userList(Caller caller) {
        AuthState s = state;
        checkAdmin(s, caller);
        return List.copyOf(s.users().keySet());
    }

    public List<String> roleList(Caller caller) {
        AuthState s = state;
        checkAdmin(s, caller);
        return List.copyOf(s.roles().keySet());
    }

    // ---- applying (the apply thread only)

    /**
     * Refuses, as etcd's authApplierV3, a client's command its sender may not make: with auth enabled,
     * every key it reads or writes (and the keys of a lease it attaches to or revokes) must be within the
     * sender's permissions, and auth management needs the root role.
     */
    public void checkApply(Command.AsUser sent, LongFunction<List<byte[]>> leaseKeys) {
        AuthState s = state;
        if (!s.enabled()) {
            return;
        }
        Caller caller = new Caller(sent.user(), sent.authRevision());
        Command c = sent.command();
        if (c instanceof Command.Put p) {
            checkOp(s, caller, p.request().key(), Bytes.EMPTY, true);
            checkLeaseKeys(s, caller, p.request().lease(), leaseKeys);
            if (p.request().prevKv()) {
                checkOp(s, caller, p.request().key(), Bytes.EMPTY, false);
            }
        } else if (c instanceof Command.DeleteRange d) {
            checkOp(s, caller, d.request().key(), d.request().rangeEnd(), true);
            if (d.request().prevKv()) {
                checkOp(s, caller, d.request().key(), d.request().rangeEnd(), false);
            }
        } else if (c instanceof Command.Txn t) {
            checkTxn(s, caller, t.request());
        } else if (c instanceof Command.LeaseRevoke r) {
            checkLeaseKeys(s, caller, r.id(), leaseKeys);
        } else if (c instanceof Command.Auth a && !(a.change() instanceof AuthChange.Authenticate)) {
            checkAdmin(s, caller);
        }
    }

    /**
     * Applies a change of the auth store and records it in the MVCC store (durable with its next commit);
     * returns the token of an Authenticate, else null.
     */
    public Object apply(AuthChange change) {
        AuthState before = state;
        AuthState after = before.apply(change);
        if (after != before) {
            state = after;
            store.saveAuth(AuthStateCodec.encode(after));
        }
        if (change instanceof AuthChange.Authenticate a) {
            if (jwt == null) {
                tokens.assign(a.token(), a.user()); // a JWT needs no state: every member verifies it
            }
            return a.token();
        } else if (change instanceof AuthChange.UserDelete u) {
            tokens.invalidateUser(u.user());
        } else if (change instanceof AuthChange.UserChangePassword u) {
            tokens.invalidateUser(u.user());
        } else if (change instanceof AuthChange.Disable) {
            tokens.clear();
        }
        return null;
    }

    // ---- the rules

    private static void refuseOldRevision(AuthState s, Caller caller) {
        if (caller.authRevision() != 0 && caller.authRevision() != s.revision()) {
            throw EtcdError.AUTH_OLD_REVISION.exception();
        }
    }

    /** etcd's isOpPermitted. */
    private static void checkOp(AuthState s, Caller caller, byte[] key, byte[] rangeEnd, boolean write) {
        if (!s.enabled()) {
            return;
        }
        if (caller.authRevision() == 0) {
            throw EtcdError.USER_EMPTY.exception();
        }
        if (caller.authRevision() < s.revision()) {
            throw EtcdError.AUTH_OLD_REVISION.exception();
        }
        AuthState.User user = s.users().get(caller.user());
        if (user == null) {
            throw EtcdError.PERMISSION_DENIED.exception();
        }
        if (user.hasRole(AuthState.ROOT)) {
            return;
        }
        AuthState.UserPermissions perms = s.permissionsOf(user);
        if (!(write ? perms.write() : perms.read()).allows(key, rangeEnd)) {
            throw EtcdError.PERMISSION_DENIED.exception();
        }
    }

    private static void checkAdmin(AuthState s, Caller caller) {
        if (!s.enabled()) {
            return;
        }
        if (caller.user().isEmpty()) {
            throw EtcdError.USER_EMPTY.exception();
        }
        AuthState.User user = s.users().get(caller.user());
        if (user == null) {
            throw EtcdError.USER_NOT_FOUND.exception();
        }
        if (!user.hasRole(AuthState.ROOT)) {
            throw EtcdError.PERMISSION_DENIED.exception();
        }
    }

    private static void checkTxn(AuthState s, Caller caller, TxnRequest txn) {
        for (var compare : txn.compare()) {
            checkOp(s, caller, compare.key(), compare.rangeEnd(), false);
        }
        checkOps(s, caller, txn.success());
        checkOps(s, caller, txn.failure());
    }

    /** etcd's checkTxnReqsPermission; a nested txn is checked as well (etcd 3.4 lets it through unchecked). */
    private static void checkOps(AuthState s, Caller caller, List<RequestOp> ops) {
        for (RequestOp op : ops) {
            if (op.range() != null) {
                checkOp(s, caller, op.range().key(), op.range().rangeEnd(), false);
            } else if (op.put() != null) {
                checkOp(s, caller, op.put().key(), Bytes.EMPTY, true);
            } else if (op.delete() != null) {
                if (op.delete().prevKv()) {
                    checkOp(s, caller, op.delete().key(), op.delete().rangeEnd(), false);
                }
                checkOp(s, caller, op.delete().key(), op.delete().rangeEnd(), true);
            } else if (op.txn() != null) {
                checkTxn(s, caller, op.txn());
            }
        }
    }

    private static void checkLeaseKeys(AuthState s, Caller caller, long lease, LongFunction<List<byte[]>> leaseKeys) {
        if (lease == 0) {
            return;
        }
        for (byte[] key : leaseKeys.apply(lease)) {
            checkOp(s, caller, key, Bytes.EMPTY, true);
        }
    }
}
