package org.ketcd.camel;

/**
 * Header names of the {@code ketcd:} component. They carry no {@code Camel} prefix on purpose: broker
 * components with a header filter (NATS, RabbitMQ) drop {@code Camel*} headers, and these are meant to
 * reach the subscriber.
 */
public final class KetcdConstants {
    /** The key, decoded as text (UTF-8, or the endpoint's {@code charset}). */
    public static final String KEY = "KetcdKey";
    /** {@code PUT} or {@code DELETE}. */
    public static final String EVENT_TYPE = "KetcdEventType";
    /** The revision of the change: all events of one transaction share it. Producer: the revision after the write. */
    public static final String REVISION = "KetcdRevision";
    public static final String CREATE_REVISION = "KetcdCreateRevision";
    public static final String MOD_REVISION = "KetcdModRevision";
    public static final String VERSION = "KetcdVersion";
    public static final String LEASE = "KetcdLease";
    /** The value before the change, when the consumer was asked for it ({@code prevKv=true}) and it was not compacted. */
    public static final String PREV_VALUE = "KetcdPrevValue";
    /** True on the last event of a revision (a transaction), so a route can aggregate one transaction. */
    public static final String LAST_IN_TRANSACTION = "KetcdLastInTransaction";
    /**
     * True on events of a resync: the revision to resume from was compacted, so the consumer sent the
     * current state of the watched range (as PUTs) instead of the missed changes. A key absent from a
     * resync was deleted meanwhile.
     */
    public static final String RESYNC = "KetcdResync";
    /** Producer: {@code put} (default), {@code get}, {@code delete}, {@code txn-put-if-version}. */
    public static final String ACTION = "KetcdAction";
    /** Producer, {@code txn-put-if-version}: the version the key must have (0 = must not exist). */
    public static final String EXPECTED_VERSION = "KetcdExpectedVersion";
    /** Producer: whether a {@code txn-put-if-version} wrote; whether {@code get} found the key. */
    public static final String SUCCEEDED = "KetcdSucceeded";
    /** Producer, {@code delete}: how many keys were deleted. */
    public static final String DELETED = "KetcdDeleted";

    /**
     * Keys under this prefix are Ketcd's own bookkeeping (route checkpoints, Camel cluster elections):
     * consumers never deliver events of them, even when they watch everything.
     */
    public static final String RESERVED_PREFIX = "__ketcd/";

    private KetcdConstants() {
    }
}
