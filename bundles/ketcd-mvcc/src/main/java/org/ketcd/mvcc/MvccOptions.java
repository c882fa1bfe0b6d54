package org.ketcd.mvcc;

import java.util.function.LongPredicate;

/**
 * Settings of an {@link MvccStore}.
 *
 * @param leaseExists whether a lease id is granted; a put with a lease that does not exist fails with
 *                    {@link org.ketcd.api.EtcdError#LEASE_NOT_FOUND}
 */
public record MvccOptions(LongPredicate leaseExists) {

    public MvccOptions {
        if (leaseExists == null) {
            throw new IllegalArgumentException("leaseExists is required");
        }
    }

    /** No lease exists. */
    public static MvccOptions defaults() {
        return new MvccOptions(id -> false);
    }
}
