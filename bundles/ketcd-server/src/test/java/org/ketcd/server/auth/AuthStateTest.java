package org.ketcd.server.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ketcd.api.AuthChange;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.Permission;

/** etcd 3.4's auth store rules (auth/store.go), change by change. */
class AuthStateTest {
    private static final byte[] HASH = Bytes.utf8("$2a$04$hash");

    private static void refused(EtcdError expected, AuthState s, AuthChange change) {
        EtcdException e = assertThrows(EtcdException.class, () -> s.apply(change));
        assertEquals(expected, e.error());
    }

    private static AuthState withRoot() {
        return AuthState.initial()
                .apply(new AuthChange.UserAdd("root", HASH))
                .apply(new AuthChange.UserGrantRole("root", "root"));
    }

    @Test
    void enablingNeedsARootUserWithTheRootRoleAndKeepsTheRevision() {
        AuthState s = AuthState.initial();
        assertEquals(1, s.revision(), "a new store starts at revision 1");
        refused(EtcdError.ROOT_USER_NOT_EXIST, s, new AuthChange.Enable());
        s = s.apply(new AuthChange.UserAdd("root", HASH));
        refused(EtcdError.ROOT_ROLE_NOT_EXIST, s, new AuthChange.Enable());
        s = s.apply(new AuthChange.UserGrantRole("root", "root"));
        assertEquals(3, s.revision());
        AuthState on = s.apply(new AuthChange.Enable());
        assertTrue(on.enabled());
        assertEquals(3, on.revision());
        assertSame(on, on.apply(new AuthChange.Enable()), "enabling twice changes nothing");
        AuthState off = on.apply(new AuthChange.Disable());
        assertFalse(off.enabled());
        assertEquals(4, off.revision(), "disabling counts as a change");
    }

    @Test
    void theRootUserAndRoleCannotBeRemovedWhileAuthIsOn() {
        AuthState on = withRoot().apply(new AuthChange.RoleAdd("root")).apply(new AuthChange.Enable());
        refused(EtcdError.INVALID_AUTH_MGMT, on, new AuthChange.UserDelete("root"));
        refused(EtcdError.INVALID_AUTH_MGMT, on, new AuthChange.RoleDelete("root"));
        refused(EtcdError.INVALID_AUTH_MGMT, on, new AuthChange.UserRevokeRole("root", "root"));
        AuthState off = on.apply(new AuthChange.Disable());
        assertFalse(off.apply(new AuthChange.UserDelete("root")).users().containsKey("root"), "allowed with auth off");
    }

    @Test
    void usersAndRolesAreRefusedAsEtcdRefusesThem() {
        AuthState s = withRoot().apply(new AuthChange.RoleAdd("r"));
        refused(EtcdError.USER_EMPTY, s, new AuthChange.UserAdd("", HASH));
        refused(EtcdError.USER_ALREADY_EXIST, s, new AuthChange.UserAdd("root", HASH));
        refused(EtcdError.ROLE_EMPTY, s, new AuthChange.RoleAdd(""));
        refused(EtcdError.ROLE_ALREADY_EXIST, s, new AuthChange.RoleAdd("r"));
        refused(EtcdError.USER_NOT_FOUND, s, new AuthChange.UserDelete("nobody"));
        refused(EtcdError.USER_NOT_FOUND, s, new AuthChange.UserGrantRole("nobody", "r"));
        refused(EtcdError.ROLE_NOT_FOUND, s, new AuthChange.UserGrantRole("root", "missing"));
        refused(EtcdError.ROLE_NOT_GRANTED, s, new AuthChange.UserRevokeRole("root", "r"));
        refused(EtcdError.ROLE_NOT_FOUND, s, new AuthChange.RoleDelete("missing"));
        refused(EtcdError.ROLE_NOT_FOUND, s, new AuthChange.RoleGrantPermission("missing",
                new Permission(Permission.Type.READ, Bytes.utf8("k"), Bytes.EMPTY)));
        refused(EtcdError.PERMISSION_NOT_GRANTED, s, new AuthChange.RoleRevokePermission("r", Bytes.utf8("k"), Bytes.EMPTY));
        refused(EtcdError.AUTH_NOT_ENABLED, s, new AuthChange.Authenticate("root", "t.1", s.revision()));
    }

    @Test
    void grantingARoleTwiceChangesNothingAndRolesStaySorted() {
        AuthState s = withRoot().apply(new AuthChange.RoleAdd("b")).apply(new AuthChange.RoleAdd("a"))
                .apply(new AuthChange.UserAdd("u", HASH))
                .apply(new AuthChange.UserGrantRole("u", "b"))
                .apply(new AuthChange.UserGrantRole("u", "a"));
        assertEquals(List.of("a", "b"), s.users().get("u").roles());
        assertSame(s, s.apply(new AuthChange.UserGrantRole("u", "a")));
    }

    @Test
    void deletingARoleTakesItFromEveryUser() {
        AuthState s = withRoot().apply(new AuthChange.RoleAdd("r")).apply(new AuthChange.UserAdd("u", HASH))
                .apply(new AuthChange.UserGrantRole("u", "r"))
                .apply(new AuthChange.RoleDelete("r"));
        assertEquals(List.of(), s.users().get("u").roles());
    }

    @Test
    void aGrantOnTheSameRangeReplacesItsTypeAndPermissionsStaySortedByKey() {
        AuthState s = withRoot().apply(new AuthChange.RoleAdd("r"))
                .apply(new AuthChange.RoleGrantPermission("r", new Permission(Permission.Type.READ, Bytes.utf8("/b"), Bytes.EMPTY)))
                .apply(new AuthChange.RoleGrantPermission("r", new Permission(Permission.Type.READ, Bytes.utf8("/a"), Bytes.utf8("/c"))))
                .apply(new AuthChange.RoleGrantPermission("r", new Permission(Permission.Type.WRITE, Bytes.utf8("/b"), Bytes.EMPTY)));
        List<Permission> perms = s.roles().get("r").permissions();
        assertEquals(2, perms.size());
        assertArrayEquals(Bytes.utf8("/a"), perms.get(0).key());
        assertEquals(new Permission(Permission.Type.WRITE, Bytes.utf8("/b"), Bytes.EMPTY), perms.get(1));
        AuthState revoked = s.apply(new AuthChange.RoleRevokePermission("r", Bytes.utf8("/a"), Bytes.utf8("/c")));
        assertEquals(List.of(perms.get(1)), revoked.roles().get("r").permissions());
    }

    @Test
    void aUsersPermissionsAreTheUnionOfItsRoles() {
        AuthState s = withRoot().apply(new AuthChange.RoleAdd("r1")).apply(new AuthChange.RoleAdd("r2"))
                .apply(new AuthChange.RoleGrantPermission("r1", new Permission(Permission.Type.READ, Bytes.utf8("a"), Bytes.utf8("c"))))
                .apply(new AuthChange.RoleGrantPermission("r2", new Permission(Permission.Type.READWRITE, Bytes.utf8("c"), Bytes.utf8("e"))))
                .apply(new AuthChange.UserAdd("u", HASH))
                .apply(new AuthChange.UserGrantRole("u", "r1"))
                .apply(new AuthChange.UserGrantRole("u", "r2"));
        AuthState.UserPermissions p = s.permissionsOf(s.users().get("u"));
        assertTrue(p.read().allows(Bytes.utf8("a"), Bytes.utf8("e")));
        assertFalse(p.write().allows(Bytes.utf8("b"), Bytes.EMPTY));
        assertTrue(p.write().allows(Bytes.utf8("d"), Bytes.EMPTY));
    }

    @Test
    void theStateReadsBackAsItWasWritten() {
        AuthState s = withRoot().apply(new AuthChange.RoleAdd("r"))
                .apply(new AuthChange.RoleGrantPermission("r", new Permission(Permission.Type.READWRITE, Bytes.utf8("/p/"), Bytes.utf8("/p0"))))
                .apply(new AuthChange.UserAdd("u", HASH))
                .apply(new AuthChange.UserGrantRole("u", "r"))
                .apply(new AuthChange.Enable());
        AuthState back = AuthStateCodec.decode(AuthStateCodec.encode(s));
        assertEquals(s.enabled(), back.enabled());
        assertEquals(s.revision(), back.revision());
        assertEquals(s.users().keySet(), back.users().keySet());
        assertArrayEquals(HASH, back.users().get("u").passwordHash());
        assertEquals(List.of("r"), back.users().get("u").roles());
        assertEquals(s.roles().get("r").permissions(), back.roles().get("r").permissions());
        assertEquals(AuthState.initial().revision(), AuthStateCodec.decode(new byte[0]).revision());
    }
}
