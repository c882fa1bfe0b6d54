package org.ketcd.server.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.ketcd.api.Permission;

/** The auth store's state as the bytes the MVCC store keeps (and snapshots carry): a version, then the fields. */
final class AuthStateCodec {
    private static final byte VERSION_1 = 1;

    private AuthStateCodec() {
    }

    static byte[] encode(AuthState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION_1);
            out.writeBoolean(state.enabled());
            out.writeLong(state.revision());
            out.writeInt(state.users().size());
            for (AuthState.User u : state.users().values()) {
                out.writeUTF(u.name());
                writeBytes(out, u.passwordHash());
                out.writeInt(u.roles().size());
                for (String role : u.roles()) {
                    out.writeUTF(role);
                }
            }
            out.writeInt(state.roles().size());
            for (AuthState.Role r : state.roles().values()) {
                out.writeUTF(r.name());
                out.writeInt(r.permissions().size());
                for (Permission p : r.permissions()) {
                    out.writeByte(p.type().ordinal());
                    writeBytes(out, p.key());
                    writeBytes(out, p.rangeEnd());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The state {@link #encode} wrote; the initial state for an empty array (a store that never had auth). */
    static AuthState decode(byte[] encoded) {
        if (encoded.length == 0) {
            return AuthState.initial();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            byte version = in.readByte();
            if (version != VERSION_1) {
                throw new IllegalStateException("auth state version " + version + " is not one this member reads");
            }
            boolean enabled = in.readBoolean();
            long revision = in.readLong();
            SortedMap<String, AuthState.User> users = new TreeMap<>();
            for (int n = in.readInt(); n > 0; n--) {
                String name = in.readUTF();
                byte[] hash = readBytes(in);
                List<String> roles = new ArrayList<>();
                for (int r = in.readInt(); r > 0; r--) {
                    roles.add(in.readUTF());
                }
                users.put(name, new AuthState.User(name, hash, List.copyOf(roles)));
            }
            SortedMap<String, AuthState.Role> roles = new TreeMap<>();
            for (int n = in.readInt(); n > 0; n--) {
                String name = in.readUTF();
                List<Permission> perms = new ArrayList<>();
                for (int p = in.readInt(); p > 0; p--) {
                    Permission.Type type = Permission.Type.values()[in.readByte()];
                    perms.add(new Permission(type, readBytes(in), readBytes(in)));
                }
                roles.put(name, new AuthState.Role(name, List.copyOf(perms)));
            }
            return AuthState.of(enabled, revision, users, roles);
        } catch (IOException e) {
            throw new UncheckedIOException("the stored auth state cannot be read", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
