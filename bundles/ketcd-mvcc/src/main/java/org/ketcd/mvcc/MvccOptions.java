package org.ketcd.mvcc;

/**
 * Settings of an {@link MvccStore}. There are none yet: leases, once a predicate given here, are now
 * the store's own replicated state ({@link MvccStore#grantLease}). Kept as {@code open}'s parameter
 * so that a setting can be added without changing every caller.
 */
public record MvccOptions() {

    public static MvccOptions defaults() {
        return new MvccOptions();
    }
}
