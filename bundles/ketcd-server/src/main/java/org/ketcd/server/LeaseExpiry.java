package org.ketcd.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.ketcd.raft.Command;
import org.ketcd.raft.RaftNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the leader, revokes expired leases through Raft, as etcd's revokeExpiredLeases: every member
 * then deletes their keys in the same revision. Bounded as etcd: at most {@link #MAX_REVOKES_PER_CHECK}
 * per check (etcd's leaseRevokeRate of 1000/s), and a lease already proposed is proposed again only
 * after {@link #RETRY_AFTER_MS} (etcd's expiredLeaseRetryInterval), e.g. when a leader change lost it.
 */
final class LeaseExpiry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseExpiry.class);
    /** How often the leader looks for expired leases (etcd's lessor checks every 500 ms). */
    static final long CHECK_INTERVAL_MS = 500;
    static final int MAX_REVOKES_PER_CHECK = 500;
    static final long RETRY_AFTER_MS = 3_000;

    private final Lessor lessor;
    private final RaftNode raft;
    /** Lease id -> when its revocation was proposed (System.nanoTime()). */
    private final Map<Long, Long> proposed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ketcd-lease-expiry");
        t.setDaemon(true);
        return t;
    });

    LeaseExpiry(Lessor lessor, RaftNode raft) {
        this.lessor = lessor;
        this.raft = raft;
        timer.scheduleWithFixedDelay(this::check, CHECK_INTERVAL_MS, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void check() {
        try {
            long now = System.nanoTime();
            proposed.values().removeIf(at -> now - at > TimeUnit.MILLISECONDS.toNanos(RETRY_AFTER_MS));
            for (long id : lessor.expired(MAX_REVOKES_PER_CHECK)) {
                if (proposed.putIfAbsent(id, now) == null) {
                    raft.propose(new Command.LeaseRevoke(id)).whenComplete((r, error) -> {
                        if (error == null) {
                            proposed.remove(id);
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("checking for expired leases failed; next check in {} ms", CHECK_INTERVAL_MS, e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
