package org.ketcd.raft;

/** A member as Raft knows it: its etcd member id and the host:port its Raft transport listens on. */
public record RaftPeerSpec(long memberId, String address) {

    String peerId() {
        return Long.toHexString(memberId);
    }
}
