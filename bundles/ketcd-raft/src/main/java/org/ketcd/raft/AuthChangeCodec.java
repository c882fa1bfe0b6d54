package org.ketcd.raft;

import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import org.ketcd.api.AuthChange;
import org.ketcd.api.Permission;

/** Writes and reads the auth store's changes inside a command batch (one type byte, then its fields). */
final class AuthChangeCodec {
    private static final byte ENABLE = 1;
    private static final byte DISABLE = 2;
    private static final byte AUTHENTICATE = 3;
    private static final byte USER_ADD = 4;
    private static final byte USER_DELETE = 5;
    private static final byte USER_CHANGE_PASSWORD = 6;
    private static final byte USER_GRANT_ROLE = 7;
    private static final byte USER_REVOKE_ROLE = 8;
    private static final byte ROLE_ADD = 9;
    private static final byte ROLE_DELETE = 10;
    private static final byte ROLE_GRANT_PERMISSION = 11;
    private static final byte ROLE_REVOKE_PERMISSION = 12;

    private AuthChangeCodec() {
    }

    static void write(ObjectDataOutput out, AuthChange change) throws IOException {
        if (change instanceof AuthChange.Enable) {
            out.writeByte(ENABLE);
        } else if (change instanceof AuthChange.Disable) {
            out.writeByte(DISABLE);
        } else if (change instanceof AuthChange.Authenticate a) {
            out.writeByte(AUTHENTICATE);
            out.writeString(a.user());
            out.writeString(a.token());
            out.writeLong(a.checkedRevision());
        } else if (change instanceof AuthChange.UserAdd u) {
            out.writeByte(USER_ADD);
            out.writeString(u.user());
            out.writeByteArray(u.passwordHash());
        } else if (change instanceof AuthChange.UserDelete u) {
            out.writeByte(USER_DELETE);
            out.writeString(u.user());
        } else if (change instanceof AuthChange.UserChangePassword u) {
            out.writeByte(USER_CHANGE_PASSWORD);
            out.writeString(u.user());
            out.writeByteArray(u.passwordHash());
        } else if (change instanceof AuthChange.UserGrantRole g) {
            out.writeByte(USER_GRANT_ROLE);
            out.writeString(g.user());
            out.writeString(g.role());
        } else if (change instanceof AuthChange.UserRevokeRole r) {
            out.writeByte(USER_REVOKE_ROLE);
            out.writeString(r.user());
            out.writeString(r.role());
        } else if (change instanceof AuthChange.RoleAdd r) {
            out.writeByte(ROLE_ADD);
            out.writeString(r.role());
        } else if (change instanceof AuthChange.RoleDelete r) {
            out.writeByte(ROLE_DELETE);
            out.writeString(r.role());
        } else if (change instanceof AuthChange.RoleGrantPermission g) {
            out.writeByte(ROLE_GRANT_PERMISSION);
            out.writeString(g.role());
            out.writeByte(g.permission().type().ordinal());
            out.writeByteArray(g.permission().key());
            out.writeByteArray(g.permission().rangeEnd());
        } else if (change instanceof AuthChange.RoleRevokePermission r) {
            out.writeByte(ROLE_REVOKE_PERMISSION);
            out.writeString(r.role());
            out.writeByteArray(r.key());
            out.writeByteArray(r.rangeEnd());
        } else {
            throw new IOException("unknown auth change " + change.getClass().getName());
        }
    }

    static AuthChange read(EntryInput in) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case ENABLE -> new AuthChange.Enable();
            case DISABLE -> new AuthChange.Disable();
            case AUTHENTICATE -> new AuthChange.Authenticate(name(in), name(in), in.readLong());
            case USER_ADD -> new AuthChange.UserAdd(name(in), bytes(in));
            case USER_DELETE -> new AuthChange.UserDelete(name(in));
            case USER_CHANGE_PASSWORD -> new AuthChange.UserChangePassword(name(in), bytes(in));
            case USER_GRANT_ROLE -> new AuthChange.UserGrantRole(name(in), name(in));
            case USER_REVOKE_ROLE -> new AuthChange.UserRevokeRole(name(in), name(in));
            case ROLE_ADD -> new AuthChange.RoleAdd(name(in));
            case ROLE_DELETE -> new AuthChange.RoleDelete(name(in));
            case ROLE_GRANT_PERMISSION -> {
                String role = name(in);
                Permission.Type permType = in.readEnum(Permission.Type.values());
                yield new AuthChange.RoleGrantPermission(role, new Permission(permType, bytes(in), bytes(in)));
            }
            case ROLE_REVOKE_PERMISSION -> new AuthChange.RoleRevokePermission(name(in), bytes(in), bytes(in));
            default -> throw new IOException("unknown auth change type " + type);
        };
    }

    private static String name(EntryInput in) throws IOException {
        String s = in.readString();
        if (s == null) {
            throw new IOException("an auth change names nothing");
        }
        return s;
    }

    private static byte[] bytes(EntryInput in) throws IOException {
        byte[] b = in.readBytes();
        return b == null ? new byte[0] : b;
    }
}
