package org.ketcd.api;

/**
 * One guard of a transaction, as etcd's Compare. Only the field matching {@code target} is read
 * ({@code number} for VERSION, CREATE, MOD and LEASE; {@code value} for VALUE).
 */
public record Compare(Result result, Target target, byte[] key, byte[] rangeEnd, long number, byte[] value) {

    public enum Result { EQUAL, GREATER, LESS, NOT_EQUAL }

    public enum Target { VERSION, CREATE, MOD, VALUE, LEASE }
}
