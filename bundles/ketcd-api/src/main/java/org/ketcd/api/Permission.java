package org.ketcd.api;

/**
 * etcd's {@code authpb.Permission}: a role may read, write or both on one key ({@code rangeEnd} empty),
 * on the keys in [{@code key}, {@code rangeEnd}), or on every key from {@code key} on ({@code rangeEnd}
 * {@code \0}), as in etcd's RoleGrantPermission.
 */
public record Permission(Type type, byte[] key, byte[] rangeEnd) {
    /** etcd's Permission.Type, in its wire order (READ 0, WRITE 1, READWRITE 2). */
    public enum Type {
        READ, WRITE, READWRITE;

        public boolean allowsRead() {
            return this != WRITE;
        }

        public boolean allowsWrite() {
            return this != READ;
        }
    }

    public Permission {
        java.util.Objects.requireNonNull(type, "type");
        key = key == null ? Bytes.EMPTY : key;
        rangeEnd = rangeEnd == null ? Bytes.EMPTY : rangeEnd;
    }

    /** Whether this is the permission on the same key or range (etcd replaces it on a new grant). */
    public boolean sameRange(byte[] otherKey, byte[] otherRangeEnd) {
        return java.util.Arrays.equals(key, otherKey) && java.util.Arrays.equals(rangeEnd, otherRangeEnd);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permission p && p.type == type && sameRange(p.key, p.rangeEnd);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 * 31 + java.util.Arrays.hashCode(key) * 31 + java.util.Arrays.hashCode(rangeEnd);
    }

    @Override
    public String toString() {
        return type + " [" + new String(key, java.nio.charset.StandardCharsets.UTF_8) + ", "
                + new String(rangeEnd, java.nio.charset.StandardCharsets.UTF_8) + ")";
    }
}
