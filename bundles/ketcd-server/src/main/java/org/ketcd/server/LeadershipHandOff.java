package org.ketcd.server;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ketcd.raft.RaftNode;
import org.ketcd.raft.RaftPeerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's graceful stop of a leader: before it stops, the leader hands its leadership to the voter it heard from
 * most recently (within an election timeout) that answers a probe of its peer port, so that the others do not wait
 * an election timeout to find it gone. Bounded by etcd's request timeout (5 s plus two election timeouts); a
 * hand-off that fails is logged and the stop goes on. The lines are etcd 3.4's.
 */
final class LeadershipHandOff {
    /** etcd's ReqTimeout: 5 s plus twice the election timeout. */
    static long timeoutMs(int electionTimeoutMs) {
        return 5_000L + 2L * electionTimeoutMs;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LeadershipHandOff.class);

    private LeadershipHandOff() {
    }

    /** Hands leadership on if this member leads and another voter can take it; returns once done or given up. */
    static void beforeStop(RaftNode raft, long selfId, int electionTimeoutMs) {
        try {
            if (!raft.isLeader()) {
                LOG.info("skipped leadership transfer for stopping non-leader member");
                return;
            }
            if (raft.voters().size() < 2) {
                LOG.info("skipped leadership transfer for single voting member cluster");
                return;
            }
            for (RaftPeerSpec voter : raft.votersByLastHeard(electionTimeoutMs)) {
                // a voter that stopped moments ago was still heard: only one that answers now can take over
                if (raft.probe(voter.address()) != null) {
                    transfer(raft, Long.toHexString(selfId), voter.memberId(), timeoutMs(electionTimeoutMs));
                    return;
                }
            }
            LOG.warn("{} failed to transfer leadership (no other voter answers)", Long.toHexString(selfId));
        } catch (RuntimeException e) {
            LOG.warn("{} failed to transfer leadership ({})", Long.toHexString(selfId), e.toString());
        }
    }

    private static void transfer(RaftNode raft, String from, long transferee, long timeoutMs) {
        String to = Long.toHexString(transferee);
        LOG.info("{} starts leadership transfer from {} to {}", from, from, to);
        long started = System.nanoTime();
        try {
            raft.transferLeadership(transferee, timeoutMs).get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
            LOG.info("{} finished leadership transfer from {} to {} (took {}ms)", from, from, to,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn("{} failed to transfer leadership ({})", from, cause.getMessage() != null ? cause.getMessage() : cause.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("{} failed to transfer leadership (interrupted)", from);
        }
    }
}
