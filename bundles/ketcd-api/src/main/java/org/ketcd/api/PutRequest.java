package org.ketcd.api;

/** etcd's PutRequest. */
public record PutRequest(byte[] key, byte[] value, long lease, boolean prevKv, boolean ignoreValue,
                         boolean ignoreLease) {

    public static PutRequest of(byte[] key, byte[] value) {
        return new PutRequest(key, value, 0, false, false, false);
    }
}
