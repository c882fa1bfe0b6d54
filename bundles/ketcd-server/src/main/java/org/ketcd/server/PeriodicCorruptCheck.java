package org.ketcd.server;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.ketcd.api.HashKvResponse;
import org.ketcd.api.Member;
import org.ketcd.mvcc.MvccStore;
import org.ketcd.raft.RaftNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd 3.4's {@code --experimental-corrupt-check-time}: every interval the leader takes the hash of its key-value
 * history, asks each peer for its hash at the leader's revision (the members-only peer query that
 * {@link InitialCorruptCheck} answers), waits for a read barrier and hashes again. It names a member corrupt, and
 * raises the CORRUPT alarm for it once per round, when: the leader's own two hashes differ at the same revision
 * and compact revision; a peer is ahead of the leader's revision or compact revision; or a peer compacted at the
 * leader's compact revision has another hash. A peer that does not answer is skipped, as in etcd.
 */
final class PeriodicCorruptCheck {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicCorruptCheck.class);

    private final long selfId;
    private final MvccStore store;
    private final Supplier<List<Member>> members;
    private final RaftNode raft;
    private final LongConsumer raiseCorruptAlarm;

    PeriodicCorruptCheck(long selfId, MvccStore store, Supplier<List<Member>> members, RaftNode raft,
                         LongConsumer raiseCorruptAlarm) {
        this.selfId = selfId;
        this.store = store;
        this.members = members;
        this.raft = raft;
        this.raiseCorruptAlarm = raiseCorruptAlarm;
    }

    /** One round, on the leader only; a follower does nothing (etcd checks from the leader). */
    void check() throws InterruptedException {
        if (!raft.isLeader()) {
            return;
        }
        HashKvResponse before = store.hashKv(0);
        List<PeerHash> peers = members.get().stream().filter(m -> m.id() != selfId && !m.peerUrls().isEmpty())
                .map(m -> peerHash(m, before.revision())).toList();
        try {
            raft.readBarrier().get(InitialCorruptCheck.PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("corruption check skipped: no read barrier ({})", e instanceof ExecutionException
                    ? e.getCause().getMessage() : "timed out");
            return;
        }
        HashKvResponse after = store.hashKv(0);
        long corrupt = 0;
        if (after.hash() != before.hash() && after.revision() == before.revision()
                && after.compactRevision() == before.compactRevision()) {
            LOG.warn("mismatched hashes {} and {} for revision {}", Integer.toUnsignedLong(before.hash()),
                    Integer.toUnsignedLong(after.hash()), before.revision());
            corrupt = selfId;
        }
        for (PeerHash p : peers) {
            if (corrupt != 0) {
                break;
            }
            if (p.hash() == null) {
                continue;
            }
            String id = Long.toHexString(p.id());
            if (p.hash().revision() > after.revision()) {
                LOG.warn("revision {} from member {}, expected at most {}", p.hash().revision(), id, after.revision());
                corrupt = p.id();
            } else if (p.hash().compactRevision() > after.compactRevision()) {
                LOG.warn("compact revision {} from member {}, expected at most {}", p.hash().compactRevision(), id,
                        after.compactRevision());
                corrupt = p.id();
            } else if (p.hash().compactRevision() == before.compactRevision() && p.hash().hash() != before.hash()) {
                LOG.warn("hash {} at revision {} from member {}, expected hash {}", Integer.toUnsignedLong(p.hash().hash()),
                        before.revision(), id, Integer.toUnsignedLong(before.hash()));
                corrupt = p.id();
            }
        }
        if (corrupt != 0) {
            raiseCorruptAlarm.accept(corrupt);
        }
    }

    /** A peer's hash at {@code revision}, its current revision and compact revision; null hash when it cannot tell. */
    private record PeerHash(long id, HashKvResponse hash) {
    }

    private PeerHash peerHash(Member peer, long revision) {
        URI url = URI.create(peer.peerUrls().get(0));
        String peerId = Long.toHexString(peer.id());
        try {
            String answer = new String(raft.queryPeer(url.getHost() + ":" + url.getPort(),
                            InitialCorruptCheck.query(revision), InitialCorruptCheck.PEER_TIMEOUT_MS)
                    .get(InitialCorruptCheck.PEER_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
            HashKvResponse hash = InitialCorruptCheck.parse(answer);
            if (hash == null) {
                LOG.warn("failed to get hashKV from peer {} at revision {}: {}", peerId, revision, answer);
            }
            return new PeerHash(peer.id(), hash);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("failed to get hashKV from peer {} at revision {}: {}", peerId, revision,
                    e instanceof ExecutionException ? e.getCause().getMessage() : "timed out");
            return new PeerHash(peer.id(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PeerHash(peer.id(), null);
        }
    }
}
