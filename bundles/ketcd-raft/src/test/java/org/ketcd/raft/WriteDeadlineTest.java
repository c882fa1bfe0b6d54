package org.ketcd.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** The leader appends a write only before its deadline and only if it decodes, and logs the command without the deadline. */
class WriteDeadlineTest {
    private final KetcdStateMachine stateMachine = new KetcdStateMachine(new CommandCodec(), null, null, 1, null, null, null);

    private static RaftClientRequest write(Message m) {
        return RaftClientRequest.newBuilder().setClientId(ClientId.randomId()).setServerId(RaftPeerId.valueOf("leader"))
                .setGroupId(RaftGroupId.randomId()).setCallId(1).setMessage(m)
                .setType(RaftClientRequest.writeRequestType()).build();
    }

    private static final Message COMMAND = Message.valueOf(ByteString.copyFrom(new CommandCodec().encode(
            java.util.List.of(new ProposedCommand(1, 1, new Command.LeaseRevoke(7))))));

    @Test
    void aWriteBeforeItsDeadlineIsLoggedWithoutTheDeadline() throws Exception {
        TransactionContext t = stateMachine.startTransaction(write(WriteDeadline.stamp(COMMAND, System.currentTimeMillis() + 5000)));
        assertNull(t.getException());
        assertEquals(COMMAND.getContent(), t.getStateMachineLogEntry().getLogData());
    }

    @Test
    void aWriteThatIsNotABatchOfKetcdCommandsIsNotAppended() throws Exception {
        Message garbage = Message.valueOf(ByteString.copyFrom("not a command", StandardCharsets.UTF_8));
        TransactionContext t = stateMachine.startTransaction(write(WriteDeadline.stamp(garbage, System.currentTimeMillis() + 5000)));
        assertNotNull(t.getException(), "an undecodable write was accepted");
        assertTrue(t.getException() instanceof CommandCodec.UndecodableException, String.valueOf(t.getException()));
    }

    @Test
    void aWriteThatArrivesAfterItsDeadlineIsNotAppended() throws Exception {
        TransactionContext t = stateMachine.startTransaction(write(WriteDeadline.stamp(COMMAND, System.currentTimeMillis() - 1)));
        assertNotNull(t.getException(), "a late write was accepted");
    }
}
