package org.ketcd.raft;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.api.Alarm;
import org.ketcd.api.AlarmType;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.Compare;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.Member;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;

/**
 * Reads what {@link CommandBatch} wrote, trusting nothing in the bytes: lengths and counts are checked
 * against what remains ({@link EntryInput}), unknown types and enum values are refused, and transactions
 * nest at most {@link #MAX_TXN_DEPTH} deep, so no input can exhaust the heap or the stack.
 */
final class CommandBatchReader {
    /** Nesting levels of a transaction inside a log entry: what the client APIs accept, so every valid command reads. */
    static final int MAX_TXN_DEPTH = org.ketcd.api.TxnRequest.MAX_DEPTH;

    /** The fewest bytes a command takes in an entry: proposer, request id and type. */
    private static final int MIN_COMMAND_BYTES = Long.BYTES + Long.BYTES + 1;
    /** The fewest bytes a compare or a txn operation takes. */
    private static final int MIN_ELEMENT_BYTES = 1;

    private final EntryInput in;

    private CommandBatchReader(EntryInput in) {
        this.in = in;
    }

    /** The commands of one entry; every byte of {@code in} must belong to them. */
    static List<ProposedCommand> read(EntryInput in) throws IOException {
        return new CommandBatchReader(in).batch();
    }

    /** A batch in a format a later Ketcd writes: well-formed, perhaps, but not for this member to guess at. */
    static final class NewerFormatException extends IOException {
        final byte version;

        NewerFormatException(byte version) {
            super("command batch format " + version + " is newer than this Ketcd reads (up to " + CommandBatch.NEWEST_FORMAT + ")");
            this.version = version;
        }
    }

    private List<ProposedCommand> batch() throws IOException {
        byte version = in.readByte();
        if (version > CommandBatch.NEWEST_FORMAT) {
            throw new NewerFormatException(version);
        }
        if (version != CommandBatch.FORMAT_V1) {
            throw new IOException("unknown command batch format version " + version);
        }
        int n = in.readCount(MIN_COMMAND_BYTES);
        List<ProposedCommand> commands = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long proposer = in.readLong();
            long requestId = in.readLong();
            commands.add(new ProposedCommand(proposer, requestId, command()));
        }
        if (in.remaining() != 0) {
            throw new IOException(in.remaining() + " bytes follow the last command");
        }
        return commands;
    }

    private Command command() throws IOException {
        byte type = in.readByte();
        if (type == CommandBatch.AS_USER) {
            String user = in.readString();
            if (user == null) {
                throw new IOException("a command's sender has no name");
            }
            long authRevision = in.readLong();
            byte inner = in.readByte();
            if (inner == CommandBatch.AS_USER) {
                throw new IOException("a command has one sender");
            }
            return new Command.AsUser(user, authRevision, command(inner));
        }
        return command(type);
    }

    private Command command(byte type) throws IOException {
        return switch (type) {
            case CommandBatch.PUT -> new Command.Put(put());
            case CommandBatch.DELETE_RANGE -> new Command.DeleteRange(delete());
            case CommandBatch.TXN -> new Command.Txn(txn(1));
            case CommandBatch.COMPACT -> new Command.Compact(new CompactionRequest(in.readLong(), in.readBoolean()));
            case CommandBatch.ALARM -> {
                boolean activate = in.readBoolean();
                long memberId = in.readLong();
                yield new Command.AlarmChange(activate, new Alarm(memberId, in.readEnum(AlarmType.values())));
            }
            case CommandBatch.MEMBER_CHANGE -> new Command.MemberChange(in.readEnum(Command.MemberChange.Kind.values()), member());
            case CommandBatch.LEASE_GRANT -> new Command.LeaseGrant(in.readLong(), in.readLong());
            case CommandBatch.LEASE_REVOKE -> new Command.LeaseRevoke(in.readLong());
            case CommandBatch.AUTH -> new Command.Auth(AuthChangeCodec.read(in));
            default -> throw new IOException("unknown command type " + type);
        };
    }

    private Member member() throws IOException {
        long id = in.readLong();
        String name = in.readString();
        List<String> peerUrls = strings();
        List<String> clientUrls = strings();
        return new Member(id, name, peerUrls, clientUrls, in.readBoolean());
    }

    private List<String> strings() throws IOException {
        String[] strings = in.readStrings();
        if (strings == null) {
            throw new IOException("a member without its URL list");
        }
        for (String s : strings) {
            if (s == null) {
                throw new IOException("a member with a null URL");
            }
        }
        return List.of(strings);
    }

    private PutRequest put() throws IOException {
        byte[] key = in.readBytes();
        byte[] value = in.readBytes();
        long lease = in.readLong();
        byte flags = in.readByte();
        return new PutRequest(key, value, lease, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
    }

    private DeleteRangeRequest delete() throws IOException {
        return new DeleteRangeRequest(in.readBytes(), in.readBytes(), in.readBoolean());
    }

    private RangeRequest range() throws IOException {
        byte[] key = in.readBytes();
        byte[] rangeEnd = in.readBytes();
        long limit = in.readLong();
        long revision = in.readLong();
        RangeRequest.SortOrder order = in.readEnum(RangeRequest.SortOrder.values());
        RangeRequest.SortTarget target = in.readEnum(RangeRequest.SortTarget.values());
        byte flags = in.readByte();
        return new RangeRequest(key, rangeEnd, limit, revision, order, target, (flags & 1) != 0,
                (flags & 2) != 0, (flags & 4) != 0, in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }

    private TxnRequest txn(int depth) throws IOException {
        if (depth > MAX_TXN_DEPTH) {
            throw new IOException("transactions nested more than " + MAX_TXN_DEPTH + " deep");
        }
        int n = in.readCount(MIN_ELEMENT_BYTES);
        List<Compare> compares = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Compare.Result result = in.readEnum(Compare.Result.values());
            Compare.Target target = in.readEnum(Compare.Target.values());
            compares.add(new Compare(result, target, in.readBytes(), in.readBytes(), in.readLong(), in.readBytes()));
        }
        List<RequestOp> success = ops(depth);
        return new TxnRequest(compares, success, ops(depth));
    }

    private List<RequestOp> ops(int depth) throws IOException {
        int n = in.readCount(MIN_ELEMENT_BYTES);
        List<RequestOp> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte type = in.readByte();
            ops.add(switch (type) {
                case CommandBatch.RANGE -> RequestOp.range(range());
                case CommandBatch.PUT -> RequestOp.put(put());
                case CommandBatch.DELETE_RANGE -> RequestOp.delete(delete());
                case CommandBatch.TXN -> RequestOp.txn(txn(depth + 1));
                default -> throw new IOException("unknown txn operation type " + type);
            });
        }
        return ops;
    }
}
