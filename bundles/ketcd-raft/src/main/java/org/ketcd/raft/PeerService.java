package org.ketcd.raft;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.ketcd.api.Member;

/**
 * Who answers at a peer address: the cluster id, member id and name a member was bootstrapped with,
 * and the members it lists. Served on the Raft peer port next to Ratis' own services (etcd serves its
 * {@code /members} on the peer port too), so that a bootstrapping member can check that the addresses
 * in its {@code --initial-cluster} belong to its cluster, and a member joining an existing cluster can
 * learn the cluster id and the id it was added with. Encoded as lines of text: a handshake, not
 * replicated state.
 */
public final class PeerService {

    /** What a member says of itself and of the cluster. */
    public record Answer(long clusterId, long memberId, String name, long leaderId, long appliedIndex,
                         List<Member> members) {
    }

    /** How long a probe waits for a peer's answer. */
    static final long PROBE_TIMEOUT_MS = 1_000;

    private static final MethodDescriptor<byte[], byte[]> GET = PeerWire.unary(PeerWire.IDENTITY_SERVICE, "Get");

    /** Bytes per message of a snapshot stream (gRPC's default inbound limit is 4 MiB). */
    static final int SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
    /** How long a follower waits for a whole snapshot from the leader. */
    static final long SNAPSHOT_TIMEOUT_MS = 30L * 60 * 1000;

    /** Members only ({@link PeerPortPolicy}): the snapshot holds the whole store. */
    private static final MethodDescriptor<byte[], byte[]> SNAPSHOT = PeerWire.method(PeerWire.IDENTITY_SERVICE, "Snapshot",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    /** Writes a snapshot of this member's state into a file; answers the Raft term and index it covers. */
    interface SnapshotSource {
        long[] writeSnapshot(Path file) throws IOException;
    }

    private final Supplier<Answer> self;
    private volatile SnapshotSource snapshots;

    public PeerService(Supplier<Answer> self) {
        this.self = self;
    }

    void serveSnapshots(SnapshotSource source) {
        this.snapshots = source;
    }

    static byte[] encode(Answer a) {
        StringBuilder b = new StringBuilder();
        b.append(Long.toHexString(a.clusterId())).append(' ').append(Long.toHexString(a.memberId())).append(' ')
                .append(Long.toHexString(a.leaderId())).append(' ').append(a.appliedIndex()).append(' ').append(a.name())
                .append('\n');
        for (Member m : a.members()) {
            b.append(Long.toHexString(m.id())).append(' ').append(m.learner()).append(' ')
                    .append(String.join(",", m.peerUrls())).append(' ').append(String.join(",", m.clientUrls()))
                    .append(' ').append(m.name()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Answer decode(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        String[] head = lines[0].split(" ", 5);
        List<Member> members = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ", 5);
            members.add(new Member(Long.parseUnsignedLong(f[0], 16), f[4], urls(f[2]), urls(f[3]), Boolean.parseBoolean(f[1])));
        }
        return new Answer(Long.parseUnsignedLong(head[0], 16), Long.parseUnsignedLong(head[1], 16), head[4],
                Long.parseUnsignedLong(head[2], 16), Long.parseLong(head[3]), List.copyOf(members));
    }

    private static List<String> urls(String joined) {
        return joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    /** The members this member lists, as {@code self} says at the time of the call. */
    List<Member> members() {
        return self.get().members();
    }

    /** The gRPC service answering with what {@code self} says at the time of each call. */
    ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(PeerWire.IDENTITY_SERVICE)
                .addMethod(GET, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(encode(self.get()));
                    response.onCompleted();
                }))
                .addMethod(SNAPSHOT, ServerCalls.asyncServerStreamingCall((request, response) -> sendSnapshot(response)))
                .build();
    }

    /** Streams a snapshot: one message "term index", then the snapshot file in chunks. */
    private void sendSnapshot(StreamObserver<byte[]> response) {
        SnapshotSource source = snapshots;
        if (source == null) {
            response.onError(Status.UNAVAILABLE.withDescription("not ready to send snapshots").asRuntimeException());
            return;
        }
        Path file = null;
        try {
            file = Files.createTempFile("ketcd-snapshot-", ".zip");
            long[] termIndex = source.writeSnapshot(file);
            response.onNext((termIndex[0] + " " + termIndex[1]).getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file)) {
                byte[] chunk;
                while ((chunk = in.readNBytes(SNAPSHOT_CHUNK_BYTES)).length > 0) {
                    response.onNext(chunk);
                }
            }
            response.onCompleted();
        } catch (IOException | RuntimeException e) {
            response.onError(Status.INTERNAL.withDescription("snapshot failed: " + e.getMessage()).asRuntimeException());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temp file left behind; the OS cleans its temp dir
                }
            }
        }
    }

    /**
     * Fetches a snapshot from the member at {@code hostPort} into {@code file}, with this member's credential
     * there; answers the Raft term and index it covers.
     */
    static long[] fetchSnapshot(PeerClient peers, String hostPort, Path file) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            var messages = peers.stream(hostPort, SNAPSHOT, new byte[0], SNAPSHOT_TIMEOUT_MS);
            String[] head = new String(messages.next(), StandardCharsets.UTF_8).split(" ");
            while (messages.hasNext()) {
                out.write(messages.next());
            }
            return new long[] {Long.parseLong(head[0]), Long.parseLong(head[1])};
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
                peers.forget(hostPort);
            }
            throw new IOException("fetching the snapshot from " + hostPort + " failed: " + e.getStatus(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching the snapshot from " + hostPort, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("no credential from " + hostPort + " to fetch its snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * Asks the member at {@code hostPort} who it is; null when nobody answers there (not started yet,
     * or not a Ketcd member) within {@link #PROBE_TIMEOUT_MS}.
     */
    static Answer probe(PeerTransport transport, String hostPort) {
        try {
            return probeReportingTls(transport, hostPort);
        } catch (TlsRefused e) {
            return null;
        }
    }

    /** As {@link #probe}, but a failed TLS handshake is {@link TlsRefused} rather than no answer. */
    static Answer probeReportingTls(PeerTransport transport, String hostPort) {
        ManagedChannel channel = transport.dial(hostPort);
        try {
            byte[] answer = ClientCalls.blockingUnaryCall(channel, GET,
                    CallOptions.DEFAULT.withDeadlineAfter(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    new byte[0]);
            return decode(answer);
        } catch (StatusRuntimeException e) {
            String tls = PeerTlsFailure.describe(e);
            if (tls != null) {
                throw new TlsRefused(tls);
            }
            return null;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return null;
        } finally {
            channel.shutdownNow();
        }
    }

    /** A probe's TLS handshake failed: the reason in etcd's words ({@link PeerTlsFailure}). */
    public static final class TlsRefused extends RuntimeException {
        TlsRefused(String reason) {
            super(reason, null, false, false);
        }
    }
}
