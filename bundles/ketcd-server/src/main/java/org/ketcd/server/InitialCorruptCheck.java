package org.ketcd.server;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.HashKvResponse;
import org.ketcd.api.Member;
import org.ketcd.mvcc.MvccStore;
import org.ketcd.raft.RaftNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's {@code --experimental-initial-corrupt-check}: before a member serves, it compares the hash of its
 * key-value history (HashKV at its own revision) with every peer's at that revision, and does not start when
 * a peer with the same compact revision has another hash. A peer that cannot tell (down, behind this member,
 * compacted past its revision, or compacted elsewhere) is named in a warning and not counted, as in etcd.
 * Peers answer through the members-only peer query ({@link RaftNode#onPeerQuery}).
 */
final class InitialCorruptCheck {
    private static final Logger LOG = LoggerFactory.getLogger(InitialCorruptCheck.class);

    /** How long the check waits for each peer's hash (etcd waits its request timeout, 5 s by default). */
    static final long PEER_TIMEOUT_MS = 5_000;

    private static final String QUERY = "hashkv ";
    private static final String BEHIND = "future-revision";
    private static final String COMPACTED = "compacted";

    private InitialCorruptCheck() {
    }

    /** The peer's side: "hashkv REV" answered "HASH REVISION COMPACT_REVISION", or why it cannot be. */
    static byte[] answer(MvccStore store, byte[] query) {
        String q = new String(query, StandardCharsets.UTF_8);
        if (!q.startsWith(QUERY)) {
            throw new IllegalArgumentException("unknown peer query");
        }
        String answer;
        try {
            HashKvResponse h = store.hashKv(Long.parseLong(q.substring(QUERY.length())));
            answer = h.hash() + " " + h.revision() + " " + h.compactRevision();
        } catch (EtcdException e) {
            answer = e.error() == EtcdError.FUTURE_REV ? BEHIND : e.error() == EtcdError.COMPACTED ? COMPACTED : "error " + e.getMessage();
        }
        return answer.getBytes(StandardCharsets.UTF_8);
    }

    /** The query for a peer's hash at {@code revision}. */
    static byte[] query(long revision) {
        return (QUERY + revision).getBytes(StandardCharsets.UTF_8);
    }

    /** A peer's answer as its hash, current revision and compact revision; null when it could not hash. */
    static HashKvResponse parse(String answer) {
        String[] parts = answer.split(" ");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new HashKvResponse(Long.parseLong(parts[1]), Integer.parseInt(parts[0]), Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** This member's side: throws {@link Inconsistent} when a peer holds other data at the same revision. */
    static void run(long selfId, MvccStore store, List<Member> members, RaftNode raft) throws InterruptedException {
        String self = Long.toHexString(selfId);
        LOG.info("{} starting initial corruption check with timeout {}ms...", self, PEER_TIMEOUT_MS);
        HashKvResponse local = store.hashKv(0);
        int mismatches = 0;
        for (Member peer : members) {
            if (peer.id() == selfId || peer.peerUrls().isEmpty()) {
                continue;
            }
            String peerId = Long.toHexString(peer.id());
            URI url = URI.create(peer.peerUrls().get(0));
            String answer;
            try {
                answer = new String(raft.queryPeer(url.getHost() + ":" + url.getPort(),
                                query(local.revision()), PEER_TIMEOUT_MS)
                        .get(PEER_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("{} hash-kv error \"{}\" on peer {} with revision {}", self,
                        e instanceof ExecutionException ? e.getCause().getMessage() : "timed out", peerId, local.revision());
                continue;
            }
            if (answer.equals(BEHIND)) {
                LOG.warn("{} cannot check the hash of peer({}) at revision {}: peer is lagging behind", self, peerId, local.revision());
                continue;
            }
            if (answer.equals(COMPACTED)) {
                LOG.warn("{} cannot check the hash of peer({}) at revision {}: local node is lagging behind", self, peerId,
                        local.revision());
                continue;
            }
            HashKvResponse peerHash = parse(answer);
            if (peerHash == null) {
                LOG.warn("{} hash-kv error \"{}\" on peer {} with revision {}", self, answer, peerId, local.revision());
                continue;
            }
            if (peerHash.hash() == local.hash()) {
                continue;
            }
            if (peerHash.compactRevision() == local.compactRevision()) {
                LOG.error("{}'s hash {} != {}'s hash {} (revision {}, peer revision {}, compact revision {})", self,
                        Integer.toUnsignedLong(local.hash()), peerId, Integer.toUnsignedLong(peerHash.hash()), local.revision(),
                        peerHash.revision(), local.compactRevision());
                mismatches++;
            } else {
                LOG.warn("{} cannot check hash of peer({}): peer has a different compact revision {} (revision:{})", self, peerId,
                        peerHash.compactRevision(), local.revision());
            }
        }
        if (mismatches > 0) {
            throw new Inconsistent(self + " found data inconsistency with peers");
        }
        LOG.info("{} succeeded on initial corruption checking: no corruption", self);
    }

    /** A peer holds other data than this member at the same revision: the member must not serve. */
    static final class Inconsistent extends RuntimeException {
        Inconsistent(String message) {
            super(message);
        }
    }
}
