package org.ketcd.server.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.ketcd.api.AuthChange;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.Permission;

/**
 * etcd's auth store as one immutable value: whether auth is enabled, its revision, the users (with their
 * bcrypt hash and sorted roles) and the roles (with their permissions sorted by key). A change makes a new
 * state, following etcd 3.4's {@code auth/store.go} rule for rule: the same refusals, and the revision
 * grows with every change that takes effect (not with enabling, nor with a grant that changes nothing).
 */
record AuthState(boolean enabled, long revision, SortedMap<String, User> users, SortedMap<String, Role> roles,
                 Map<String, UserPermissions> permissionCache) {
    static final String ROOT = "root";

    record User(String name, byte[] passwordHash, List<String> roles) {
        boolean hasRole(String role) {
            return Collections.binarySearch(roles, role) >= 0;
        }

        User withRoles(List<String> newRoles) {
            return new User(name, passwordHash, List.copyOf(newRoles));
        }
    }

    record Role(String name, List<Permission> permissions) {
    }

    /** What one user may read and write, merged over its roles (etcd's unifiedRangePermissions). */
    record UserPermissions(KeyRanges read, KeyRanges write) {
    }

    /** A fresh store: auth off, at revision 1 (etcd commits its first revision when it creates the store). */
    static AuthState initial() {
        return of(false, 1, new TreeMap<>(), new TreeMap<>());
    }

    static AuthState of(boolean enabled, long revision, SortedMap<String, User> users, SortedMap<String, Role> roles) {
        return new AuthState(enabled, revision, Collections.unmodifiableSortedMap(new TreeMap<>(users)),
                Collections.unmodifiableSortedMap(new TreeMap<>(roles)), new ConcurrentHashMap<>());
    }

    boolean isRoot(String user) {
        User u = users.get(user);
        return u != null && u.hasRole(ROOT);
    }

    UserPermissions permissionsOf(User user) {
        return permissionCache.computeIfAbsent(user.name(), name -> {
            KeyRanges.Builder read = new KeyRanges.Builder();
            KeyRanges.Builder write = new KeyRanges.Builder();
            for (String roleName : user.roles()) {
                Role role = roles.get(roleName);
                if (role == null) {
                    continue;
                }
                for (Permission p : role.permissions()) {
                    if (p.type().allowsRead()) {
                        read.add(p.key(), p.rangeEnd());
                    }
                    if (p.type().allowsWrite()) {
                        write.add(p.key(), p.rangeEnd());
                    }
                }
            }
            return new UserPermissions(read.build(), write.build());
        });
    }

    /**
     * The state after {@code change}; {@code this} when it changes nothing; an EtcdException with etcd's
     * error when etcd refuses it. {@link AuthChange.Authenticate} is checked here but changes nothing.
     */
    AuthState apply(AuthChange change) {
        if (change instanceof AuthChange.Enable) {
            if (enabled) {
                return this;
            }
            User root = users.get(ROOT);
            if (root == null) {
                throw EtcdError.ROOT_USER_NOT_EXIST.exception();
            }
            if (!root.hasRole(ROOT)) {
                throw EtcdError.ROOT_ROLE_NOT_EXIST.exception();
            }
            return of(true, revision, users, roles);
        } else if (change instanceof AuthChange.Disable) {
            return enabled ? of(false, revision + 1, users, roles) : this;
        } else if (change instanceof AuthChange.Authenticate a) {
            if (!enabled) {
                throw EtcdError.AUTH_NOT_ENABLED.exception();
            }
            if (!users.containsKey(a.user())) {
                throw EtcdError.AUTH_FAILED.exception();
            }
            if (a.checkedRevision() != revision) {
                throw EtcdError.AUTH_OLD_REVISION.exception(); // the password was checked against an older store
            }
            return this;
        } else if (change instanceof AuthChange.UserAdd u) {
            if (u.user().isEmpty()) {
                throw EtcdError.USER_EMPTY.exception();
            }
            if (users.containsKey(u.user())) {
                throw EtcdError.USER_ALREADY_EXIST.exception();
            }
            return withUser(new User(u.user(), u.passwordHash(), List.of()));
        } else if (change instanceof AuthChange.UserDelete u) {
            if (enabled && u.user().equals(ROOT)) {
                throw EtcdError.INVALID_AUTH_MGMT.exception();
            }
            existingUser(u.user());
            SortedMap<String, User> next = new TreeMap<>(users);
            next.remove(u.user());
            return of(enabled, revision + 1, next, roles);
        } else if (change instanceof AuthChange.UserChangePassword u) {
            User user = existingUser(u.user());
            return withUser(new User(user.name(), u.passwordHash(), user.roles()));
        } else if (change instanceof AuthChange.UserGrantRole g) {
            User user = existingUser(g.user());
            if (!g.role().equals(ROOT) && !roles.containsKey(g.role())) {
                throw EtcdError.ROLE_NOT_FOUND.exception();
            }
            if (user.hasRole(g.role())) {
                return this;
            }
            List<String> granted = new ArrayList<>(user.roles());
            granted.add(g.role());
            Collections.sort(granted);
            return withUser(user.withRoles(granted));
        } else if (change instanceof AuthChange.UserRevokeRole r) {
            if (enabled && r.user().equals(ROOT) && r.role().equals(ROOT)) {
                throw EtcdError.INVALID_AUTH_MGMT.exception();
            }
            User user = existingUser(r.user());
            if (!user.hasRole(r.role())) {
                throw EtcdError.ROLE_NOT_GRANTED.exception();
            }
            List<String> left = new ArrayList<>(user.roles());
            left.remove(r.role());
            return withUser(user.withRoles(left));
        } else if (change instanceof AuthChange.RoleAdd r) {
            if (r.role().isEmpty()) {
                throw EtcdError.ROLE_EMPTY.exception();
            }
            if (roles.containsKey(r.role())) {
                throw EtcdError.ROLE_ALREADY_EXIST.exception();
            }
            return withRole(new Role(r.role(), List.of()));
        } else if (change instanceof AuthChange.RoleDelete r) {
            if (enabled && r.role().equals(ROOT)) {
                throw EtcdError.INVALID_AUTH_MGMT.exception();
            }
            existingRole(r.role());
            SortedMap<String, Role> nextRoles = new TreeMap<>(roles);
            nextRoles.remove(r.role());
            SortedMap<String, User> nextUsers = new TreeMap<>(users);
            for (User u : users.values()) {
                if (u.hasRole(r.role())) {
                    List<String> left = new ArrayList<>(u.roles());
                    left.remove(r.role());
                    nextUsers.put(u.name(), u.withRoles(left));
                }
            }
            return of(enabled, revision + 1, nextUsers, nextRoles);
        } else if (change instanceof AuthChange.RoleGrantPermission g) {
            Role role = existingRole(g.role());
            List<Permission> perms = new ArrayList<>();
            boolean replaced = false;
            for (Permission p : role.permissions()) {
                if (p.sameRange(g.permission().key(), g.permission().rangeEnd())) {
                    perms.add(g.permission());
                    replaced = true;
                } else {
                    perms.add(p);
                }
            }
            if (!replaced) {
                perms.add(g.permission());
                perms.sort(Comparator.comparing(Permission::key, Bytes::compare));
            }
            return withRole(new Role(role.name(), List.copyOf(perms)));
        } else if (change instanceof AuthChange.RoleRevokePermission r) {
            Role role = existingRole(r.role());
            List<Permission> left = new ArrayList<>(role.permissions());
            if (!left.removeIf(p -> p.sameRange(r.key(), r.rangeEnd()))) {
                throw EtcdError.PERMISSION_NOT_GRANTED.exception();
            }
            return withRole(new Role(role.name(), List.copyOf(left)));
        }
        throw new IllegalArgumentException("unknown auth change " + change);
    }

    User existingUser(String name) {
        User user = users.get(name);
        if (user == null) {
            throw EtcdError.USER_NOT_FOUND.exception();
        }
        return user;
    }

    Role existingRole(String name) {
        Role role = roles.get(name);
        if (role == null) {
            throw EtcdError.ROLE_NOT_FOUND.exception();
        }
        return role;
    }

    private AuthState withUser(User user) {
        SortedMap<String, User> next = new TreeMap<>(users);
        next.put(user.name(), user);
        return of(enabled, revision + 1, next, roles);
    }

    private AuthState withRole(Role role) {
        SortedMap<String, Role> next = new TreeMap<>(roles);
        next.put(role.name(), role);
        return of(enabled, revision + 1, users, next);
    }
}
