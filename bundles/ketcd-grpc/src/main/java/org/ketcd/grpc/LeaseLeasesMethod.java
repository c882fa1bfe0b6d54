package org.ketcd.grpc;

import com.google.protobuf.CodedOutputStream;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.ketcd.api.EtcdServer;

/**
 * etcd's {@code Lease.LeaseLeases} (what {@code etcdctl lease list} calls). jetcd's generated stubs,
 * which this bundle uses for every other message, lack it, so it is added to the Lease service here
 * with its response encoded by hand from etcd's rpc.proto:
 * {@code LeaseLeasesResponse { ResponseHeader header = 1; repeated LeaseStatus leases = 2; }},
 * {@code LeaseStatus { int64 ID = 1; }}. Its request has no fields.
 */
final class LeaseLeasesMethod {
    private static final int HEADER_FIELD = 1;
    private static final int LEASES_FIELD = 2;
    private static final int LEASE_ID_FIELD = 1;

    static final MethodDescriptor<byte[], byte[]> METHOD = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("etcdserverpb.Lease", "LeaseLeases"))
            .setRequestMarshaller(ByteArrayMarshaller.INSTANCE).setResponseMarshaller(ByteArrayMarshaller.INSTANCE).build();

    private LeaseLeasesMethod() {
    }

    /** The Lease service {@code lease} with LeaseLeases added. */
    static ServerServiceDefinition addTo(ServerServiceDefinition lease, EtcdServer server) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(lease.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> m : lease.getMethods()) {
            b.addMethod(m);
        }
        b.addMethod(METHOD, ServerCalls.asyncUnaryCall((request, observer) -> StatusMapping.reply(observer,
                ids -> encode(KvMessages.header(server.header(server.currentRevision())), ids),
                () -> CallerToken.serverFor(server).leases())));
        return b.build();
    }

    static byte[] encode(io.etcd.jetcd.api.ResponseHeader header, List<Long> ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeMessage(HEADER_FIELD, header);
            for (long id : ids) {
                out.writeTag(LEASES_FIELD, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(CodedOutputStream.computeInt64Size(LEASE_ID_FIELD, id));
                out.writeInt64(LEASE_ID_FIELD, id);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
