package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.MetadataUtils;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.raft.Command;
import org.ketcd.raft.CommandCodec;
import org.ketcd.raft.ProposedCommand;

/**
 * Someone who can reach a member's peer port but is not a member: what etcd refuses at its transport
 * ("error unmarshalling raft message") or behind peer TLS, Ketcd refuses too. Each probe talks to the
 * leader's peer port the way an outsider would (a Ratis client, a raw gRPC call), then the cluster must
 * still serve writes on every member, with nothing of the outsider's applied.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerPortOutsiderTest {
    private LocalCluster cluster;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = LocalCluster.start(dir, 3, "outsiders");
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Set by {@link Tripwire#readObject}: proof that Java deserialization ran on a member. */
    static volatile boolean tripped;

    /** A Java-serializable object whose deserialization leaves a trace, as a gadget chain would run code. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            tripped = true;
        }
    }

    @Test
    void garbageSentToTheLeadersPeerPortAsARaftWriteIsNeverAppliedAndTheClusterKeepsServing() throws Exception {
        long before = agreedRevision();
        byte[] garbage = "not a ketcd command at all".getBytes(StandardCharsets.UTF_8);
        assertRefused(() -> sendAsRatisClient(stamped(garbage)));
        assertRefused(() -> sendAsRatisClient(garbage));
        assertEveryMemberServesWrites(before);
    }

    @Test
    void aJavaSerializedObjectSentAsARaftWriteIsRefusedWithoutBeingDeserialized() throws Exception {
        long before = agreedRevision();
        ByteArrayOutputStream java = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(java)) {
            out.writeObject(new Tripwire());
        }
        // Hazelcast's framing: partition hash, then type id -100 (Java serialization), then the stream
        byte[] framed = ByteBuffer.allocate(8 + java.size()).putInt(0).putInt(-100).put(java.toByteArray()).array();
        assertRefused(() -> sendAsRatisClient(stamped(framed)));
        assertFalse(tripped, "a member ran ObjectInputStream.readObject on an outsider's bytes");
        assertEveryMemberServesWrites(before);
    }

    @Test
    void aWellFormedPutSentStraightToRatisIsNotWritten() throws Exception {
        long before = agreedRevision();
        byte[] put = new CommandCodec().encode(List.of(new ProposedCommand(1, 1,
                new Command.Put(PutRequest.of(Bytes.utf8("/outsider"), Bytes.utf8("was here"))))));
        assertRefused(() -> sendAsRatisClient(stamped(put)));
        assertEveryMemberServesWrites(before);
        for (int i = 0; i < 3; i++) {
            assertTrue(cluster.member(i).server().range(RangeRequest.of(Bytes.utf8("/outsider"), Bytes.EMPTY))
                    .get(20, TimeUnit.SECONDS).kvs().isEmpty(), "the outsider's key is on member " + i);
        }
    }

    @Test
    void ratisGroupRemovalWithDeleteDirectoryIsRefusedAndTheLogStays() throws Exception {
        int leader = cluster.awaitLeader();
        RaftPeer target = peers().get(leader);
        try (RaftClient client = ratisClient()) {
            assertRefused(() -> client.getGroupManagementApi(target.getId()).remove(groupId(), true, false));
            assertRefused(() -> client.getGroupManagementApi(target.getId()).list());
        }
        Path wal = cluster.dataDir(leader).resolve("member").resolve("wal").resolve(groupId().getUuid().toString());
        assertTrue(Files.isDirectory(wal), "the leader's Raft log directory is gone");
        assertEveryMemberServesWrites(agreedRevision());
    }

    @Test
    void theStoreSnapshotIsNotHandedToAnOutsider() throws Exception {
        int leader = cluster.awaitLeader();
        put(cluster.member(leader).server(), "/secret", "value");
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> rawCall(leader, "ketcd.PeerIdentity/Snapshot", MethodDescriptor.MethodType.SERVER_STREAMING, new Metadata()));
        assertOutsiderStatus(refused.getStatus());
    }

    @Test
    void forwardingAndAdministrationOverThePeerPortNeedAMembersCredential() throws Exception {
        int leader = cluster.awaitLeader();
        Metadata forged = new Metadata();
        forged.put(Metadata.Key.of("ketcd-member", Metadata.ASCII_STRING_MARSHALLER),
                Long.toHexString(cluster.member((leader + 1) % 3).memberId()));
        forged.put(Metadata.Key.of("ketcd-token", Metadata.ASCII_STRING_MARSHALLER), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        for (String method : List.of("ketcd.Peer/Submit", "ketcd.Peer/Admin")) {
            StatusRuntimeException bare = assertThrows(StatusRuntimeException.class,
                    () -> rawCall(leader, method, MethodDescriptor.MethodType.UNARY, new Metadata()), method);
            assertOutsiderStatus(bare.getStatus());
            StatusRuntimeException guessed = assertThrows(StatusRuntimeException.class,
                    () -> rawCall(leader, method, MethodDescriptor.MethodType.UNARY, forged), method);
            assertOutsiderStatus(guessed.getStatus());
        }
    }

    @Test
    void aChallengeInAMembersNameGivesTheOutsiderNoCredential() throws Exception {
        int leader = cluster.awaitLeader();
        long member = cluster.member((leader + 1) % 3).memberId();
        byte[] challenge = (Long.toHexString(member) + " bm9uY2Utb2YtYW4tb3V0c2lkZXI").getBytes(StandardCharsets.UTF_8);
        // the leader sends the credential to the member's own peer address, which knows no such challenge
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> rawCall(leader, "ketcd.Peer/Challenge", MethodDescriptor.MethodType.UNARY, new Metadata(), challenge));
        assertOutsiderStatus(refused.getStatus());
        byte[] stranger = ("7777777777777777 bm9uY2Utb2YtYW4tb3V0c2lkZXI").getBytes(StandardCharsets.UTF_8);
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> rawCall(leader, "ketcd.Peer/Challenge", MethodDescriptor.MethodType.UNARY, new Metadata(), stranger));
        assertOutsiderStatus(unknown.getStatus());
        assertEveryMemberServesWrites(agreedRevision());
    }

    private static void assertOutsiderStatus(Status status) {
        assertTrue(status.getCode() == Status.Code.PERMISSION_DENIED || status.getCode() == Status.Code.UNAUTHENTICATED,
                "an outsider's call answered " + status);
    }

    private interface Attempt {
        Object run() throws Exception;
    }

    /** The outsider's request fails: an exception, or a reply that is not a success. */
    private static void assertRefused(Attempt attempt) {
        Object result;
        try {
            result = attempt.run();
        } catch (Exception refused) {
            return;
        }
        if (result instanceof RaftClientReply reply) {
            assertFalse(reply.isSuccess(), "Ratis accepted an outsider's request: " + reply);
        } else {
            throw new AssertionError("an outsider's request was answered: " + result);
        }
    }

    /** Every member accepts a write, and the revision moved by exactly the writes made here. */
    private void assertEveryMemberServesWrites(long before) throws Exception {
        long revision = before;
        for (int i = 0; i < 3; i++) {
            long written = put(cluster.member(i).server(), "/after-outsider", "from-" + i);
            assertEquals(revision + 1, written, "member " + i + ": the revision moved by more than this test's writes");
            revision = written;
        }
        for (int i = 0; i < 3; i++) {
            var kvs = cluster.member(i).server().range(RangeRequest.of(Bytes.utf8("/after-outsider"), Bytes.EMPTY))
                    .get(20, TimeUnit.SECONDS).kvs();
            assertEquals("from-2", new String(kvs.get(0).value(), StandardCharsets.UTF_8));
        }
    }

    /** The revision every member agrees on (after a linearizable read through each). */
    private long agreedRevision() throws Exception {
        long revision = -1;
        for (int i = 0; i < 3; i++) {
            long r = cluster.member(i).server().range(RangeRequest.of(Bytes.utf8("/none"), Bytes.EMPTY))
                    .get(20, TimeUnit.SECONDS).revision();
            assertTrue(revision == -1 || revision == r, "members disagree on the revision");
            revision = r;
        }
        return revision;
    }

    private static long put(EtcdServer s, String key, String value) throws Exception {
        return s.put(PutRequest.of(Bytes.utf8(key), Bytes.utf8(value))).get(20, TimeUnit.SECONDS).revision();
    }

    /** A write as members stamp it for the leader: 8 bytes of deadline, then the command. */
    private static byte[] stamped(byte[] command) {
        return ByteBuffer.allocate(8 + command.length).putLong(System.currentTimeMillis() + 60_000).put(command).array();
    }

    /** The Raft group id, derived from the cluster id every client can read in a response header. */
    private RaftGroupId groupId() {
        long clusterId = cluster.member(0).server().header(0).clusterId();
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("ketcd-cluster-" + Long.toHexString(clusterId))
                .getBytes(StandardCharsets.UTF_8)));
    }

    private List<RaftPeer> peers() {
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(RaftPeer.newBuilder().setId(RaftPeerId.valueOf(Long.toHexString(cluster.member(i).memberId())))
                    .setAddress(peerAddress(i)).build());
        }
        return peers;
    }

    private String peerAddress(int i) {
        return cluster.peerUrl(i).substring("http://".length());
    }

    private RaftClient ratisClient() {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return RaftClient.newBuilder().setProperties(properties)
                .setRaftGroup(RaftGroup.valueOf(groupId(), peers()))
                .setRetryPolicy(RetryPolicies.noRetry())
                .setClientRpc(new GrpcFactory(new Parameters()).newRaftClientRpc(ClientId.randomId(), properties))
                .build();
    }

    private RaftClientReply sendAsRatisClient(byte[] content) throws Exception {
        try (RaftClient client = ratisClient()) {
            return client.async().send(Message.valueOf(ByteString.copyFrom(content))).get(10, TimeUnit.SECONDS);
        }
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    private List<byte[]> rawCall(int member, String method, MethodDescriptor.MethodType type, Metadata headers) {
        return rawCall(member, method, type, headers, new byte[0]);
    }

    /** A gRPC call to a member's peer port with whatever headers an outsider chooses. */
    private List<byte[]> rawCall(int member, String method, MethodDescriptor.MethodType type, Metadata headers, byte[] request) {
        MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(method).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        ManagedChannel channel = NettyChannelBuilder.forTarget(peerAddress(member)).usePlaintext()
                .intercept(MetadataUtils.newAttachHeadersInterceptor(headers)).build();
        try {
            CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
            List<byte[]> answers = new ArrayList<>();
            if (type == MethodDescriptor.MethodType.UNARY) {
                answers.add(ClientCalls.blockingUnaryCall(channel, descriptor, options, request));
            } else {
                ClientCalls.blockingServerStreamingCall(channel, descriptor, options, request).forEachRemaining(answers::add);
            }
            return answers;
        } finally {
            channel.shutdownNow();
        }
    }
}
