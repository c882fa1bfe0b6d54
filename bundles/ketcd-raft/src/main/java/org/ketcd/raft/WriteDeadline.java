package org.ketcd.raft;

import java.nio.ByteBuffer;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The deadline a write carries to the leader: 8 bytes (epoch milliseconds of the member that submitted it) in
 * front of the command. The leader appends a write only before its deadline and strips the 8 bytes, so the log
 * holds the command alone. Why: a write forwarded to a leader across a partition can sit in a TCP send buffer
 * and arrive after the partition heals, long after its client heard "request timed out"; etcd drops such a
 * proposal, and so must Ketcd (PartitionTest: a refused write of a 2/2 split appeared after healing).
 * Members' clocks are assumed to agree to well within {@link Submitter#REQUEST_TIMEOUT_MS}, as etcd assumes
 * for its leases.
 */
final class WriteDeadline {
    static final int HEADER_BYTES = Long.BYTES;

    private WriteDeadline() {
    }

    static Message stamp(Message command, long deadlineMs) {
        ByteString header = ByteString.copyFrom(ByteBuffer.allocate(HEADER_BYTES).putLong(deadlineMs).flip());
        return Message.valueOf(header.concat(command.getContent()));
    }

    /** The deadline of a stamped write. */
    static long deadline(ByteString stamped) {
        return stamped.substring(0, HEADER_BYTES).asReadOnlyByteBuffer().getLong();
    }

    /** The command without its deadline: what goes into the log. */
    static ByteString command(ByteString stamped) {
        return stamped.substring(HEADER_BYTES);
    }
}
