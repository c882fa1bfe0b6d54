package org.ketcd.raft;

/**
 * A member as Raft knows it: its etcd member id, the host:port its Raft transport listens on, and
 * whether it is a learner (a Ratis listener: replicated to, never voting, never campaigning).
 */
public record RaftPeerSpec(long memberId, String address, boolean learner) {

    public RaftPeerSpec(long memberId, String address) {
        this(memberId, address, false);
    }

    String peerId() {
        return Long.toHexString(memberId);
    }
}
