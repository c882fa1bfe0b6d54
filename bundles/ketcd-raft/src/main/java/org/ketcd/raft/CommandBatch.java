package org.ketcd.raft;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.List;
import org.ketcd.api.Alarm;
import org.ketcd.api.Member;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;

/**
 * The payload of one Raft log entry: the client commands batched into it, written with Hazelcast's
 * framing. The first byte is a format version. The rule between versions of Ketcd in one cluster (a rolling
 * update): a Ketcd reads every format up to its {@link #NEWEST_FORMAT}, so a newer member applies an older
 * member's entries; a member that meets an entry in a newer format than it reads stops (a fatal error naming
 * both formats) rather than skip or misread it and diverge from the others. So a format is only ever written
 * once every member reads it: a Ketcd that adds a format keeps writing the older one until the whole cluster
 * runs a version that reads the new one (as etcd gates new entry kinds on its cluster version).
 */
final class CommandBatch implements IdentifiedDataSerializable {
    static final int FACTORY_ID = 0x6b65;
    static final int CLASS_ID = 1;
    static final byte FORMAT_V1 = 1;
    /** The newest format this Ketcd reads; it writes {@link #FORMAT_V1}, which every Ketcd reads. */
    static final byte NEWEST_FORMAT = FORMAT_V1;

    static final byte PUT = 1;
    static final byte DELETE_RANGE = 2;
    static final byte TXN = 3;
    static final byte COMPACT = 4;
    static final byte ALARM = 5;
    static final byte RANGE = 6;
    static final byte MEMBER_CHANGE = 7;
    static final byte LEASE_GRANT = 8;
    static final byte LEASE_REVOKE = 9;
    static final byte AUTH = 10;
    static final byte AS_USER = 11;

    private List<ProposedCommand> commands;

    CommandBatch() {
    }

    CommandBatch(List<ProposedCommand> commands) {
        this.commands = commands;
    }

    List<ProposedCommand> commands() {
        return commands;
    }

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(FORMAT_V1);
        out.writeInt(commands.size());
        for (ProposedCommand c : commands) {
            out.writeLong(c.proposer());
            out.writeLong(c.requestId());
            writeCommand(out, c.command());
        }
    }

    /** Never used: entries are read only by {@link CommandBatchReader}, which trusts no length in them. */
    @Override
    public void readData(ObjectDataInput in) throws IOException {
        throw new IOException("command batches are read by CommandBatchReader only");
    }

    private static void writeCommand(ObjectDataOutput out, Command command) throws IOException {
        if (command instanceof Command.Put p) {
            out.writeByte(PUT);
            writePut(out, p.request());
        } else if (command instanceof Command.DeleteRange d) {
            out.writeByte(DELETE_RANGE);
            writeDelete(out, d.request());
        } else if (command instanceof Command.Txn t) {
            out.writeByte(TXN);
            writeTxn(out, t.request());
        } else if (command instanceof Command.Compact c) {
            out.writeByte(COMPACT);
            out.writeLong(c.request().revision());
            out.writeBoolean(c.request().physical());
        } else if (command instanceof Command.AlarmChange a) {
            out.writeByte(ALARM);
            out.writeBoolean(a.activate());
            out.writeLong(a.alarm().memberId());
            out.writeByte(a.alarm().type().ordinal());
        } else if (command instanceof Command.MemberChange m) {
            out.writeByte(MEMBER_CHANGE);
            out.writeByte(m.kind().ordinal());
            writeMember(out, m.member());
        } else if (command instanceof Command.LeaseGrant g) {
            out.writeByte(LEASE_GRANT);
            out.writeLong(g.id());
            out.writeLong(g.ttl());
        } else if (command instanceof Command.LeaseRevoke r) {
            out.writeByte(LEASE_REVOKE);
            out.writeLong(r.id());
        } else if (command instanceof Command.Auth a) {
            out.writeByte(AUTH);
            AuthChangeCodec.write(out, a.change());
        } else if (command instanceof Command.AsUser u) {
            out.writeByte(AS_USER);
            out.writeString(u.user());
            out.writeLong(u.authRevision());
            writeCommand(out, u.command());
        } else {
            throw new IOException("unknown command " + command.getClass().getName());
        }
    }

    private static void writeMember(ObjectDataOutput out, Member m) throws IOException {
        out.writeLong(m.id());
        out.writeString(m.name());
        out.writeStringArray(m.peerUrls().toArray(String[]::new));
        out.writeStringArray(m.clientUrls().toArray(String[]::new));
        out.writeBoolean(m.learner());
    }

    private static void writePut(ObjectDataOutput out, PutRequest p) throws IOException {
        out.writeByteArray(p.key());
        out.writeByteArray(p.value());
        out.writeLong(p.lease());
        out.writeByte((p.prevKv() ? 1 : 0) | (p.ignoreValue() ? 2 : 0) | (p.ignoreLease() ? 4 : 0));
    }

    private static void writeDelete(ObjectDataOutput out, DeleteRangeRequest d) throws IOException {
        out.writeByteArray(d.key());
        out.writeByteArray(d.rangeEnd());
        out.writeBoolean(d.prevKv());
    }

    private static void writeRange(ObjectDataOutput out, RangeRequest r) throws IOException {
        out.writeByteArray(r.key());
        out.writeByteArray(r.rangeEnd());
        out.writeLong(r.limit());
        out.writeLong(r.revision());
        out.writeByte(r.sortOrder().ordinal());
        out.writeByte(r.sortTarget().ordinal());
        out.writeByte((r.serializable() ? 1 : 0) | (r.keysOnly() ? 2 : 0) | (r.countOnly() ? 4 : 0));
        out.writeLong(r.minModRevision());
        out.writeLong(r.maxModRevision());
        out.writeLong(r.minCreateRevision());
        out.writeLong(r.maxCreateRevision());
    }

    private static void writeTxn(ObjectDataOutput out, TxnRequest t) throws IOException {
        out.writeInt(t.compare().size());
        for (Compare c : t.compare()) {
            out.writeByte(c.result().ordinal());
            out.writeByte(c.target().ordinal());
            out.writeByteArray(c.key());
            out.writeByteArray(c.rangeEnd());
            out.writeLong(c.number());
            out.writeByteArray(c.value());
        }
        writeOps(out, t.success());
        writeOps(out, t.failure());
    }

    private static void writeOps(ObjectDataOutput out, List<RequestOp> ops) throws IOException {
        out.writeInt(ops.size());
        for (RequestOp op : ops) {
            if (op.range() != null) {
                out.writeByte(RANGE);
                writeRange(out, op.range());
            } else if (op.put() != null) {
                out.writeByte(PUT);
                writePut(out, op.put());
            } else if (op.delete() != null) {
                out.writeByte(DELETE_RANGE);
                writeDelete(out, op.delete());
            } else {
                out.writeByte(TXN);
                writeTxn(out, op.txn());
            }
        }
    }
}
