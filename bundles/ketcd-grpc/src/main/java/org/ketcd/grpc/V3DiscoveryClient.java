package org.ketcd.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.ketcd.api.Bytes;
import org.ketcd.api.DiscoveryKeyspace;

/**
 * The client side of etcd's v3 discovery ({@code --discovery-endpoints}, {@code --discovery-token}):
 * the token's keys in any etcd v3 cluster, reached over the v3 KV gRPC API. Keys as etcd's
 * v3discovery lays them out: {@code /_etcd/registry/<token>/_config/size} and
 * {@code /_etcd/registry/<token>/members/<member id hex>} = {@code name=peerURL,...}, ordered by
 * create revision. It lives here, not in ketcd-server, because this bundle holds grpc-java and the
 * etcd protobuf stubs; the server receives it as a {@link DiscoveryKeyspace.V3Client}.
 */
public final class V3DiscoveryClient implements DiscoveryKeyspace.V3Client {
    static final String PREFIX = "/_etcd/registry/";

    @Override
    public DiscoveryKeyspace open(List<String> endpoints, String token, long dialTimeoutMs, long requestTimeoutMs)
            throws IOException {
        List<ManagedChannel> channels = new ArrayList<>();
        for (String endpoint : endpoints) {
            URI u = URI.create(endpoint.contains("://") ? endpoint.trim() : "http://" + endpoint.trim());
            if (!"http".equals(u.getScheme())) {
                throw new IOException("v3 discovery over TLS (" + endpoint + ") is not supported yet");
            }
            channels.add(NettyChannelBuilder.forAddress(u.getHost(), u.getPort()).usePlaintext()
                    .withOption(io.grpc.netty.shaded.io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) dialTimeoutMs)
                    .build());
        }
        return new Keyspace(channels, token, requestTimeoutMs);
    }

    private static final class Keyspace implements DiscoveryKeyspace {
        private final List<ManagedChannel> channels;
        private final String token;
        private final long requestTimeoutMs;

        Keyspace(List<ManagedChannel> channels, String token, long requestTimeoutMs) {
            this.channels = channels;
            this.token = token;
            this.requestTimeoutMs = requestTimeoutMs;
        }

        @Override
        public String size() throws IOException {
            RangeResponse r = call(kv -> kv.range(RangeRequest.newBuilder().setKey(utf8(PREFIX + token + "/_config/size")).build()));
            return r.getKvsCount() == 0 ? null : r.getKvs(0).getValue().toStringUtf8();
        }

        @Override
        public boolean register(String memberId, String peers) throws IOException {
            // etcd's v3 discovery puts (a member registering again overwrites its own key)
            call(kv -> kv.put(PutRequest.newBuilder().setKey(utf8(membersPrefix() + memberId)).setValue(utf8(peers)).build()));
            return true;
        }

        @Override
        public List<Registration> registrations() throws IOException {
            ByteString prefix = utf8(membersPrefix());
            RangeResponse r = call(kv -> kv.range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(ByteString.copyFrom(Bytes.prefixEnd(prefix.toByteArray())))
                    .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND).build()));
            List<Registration> out = new ArrayList<>();
            for (KeyValue kv : r.getKvsList()) {
                String key = kv.getKey().toStringUtf8();
                out.add(new Registration(key.substring(key.lastIndexOf('/') + 1), kv.getValue().toStringUtf8(), kv.getCreateRevision()));
            }
            return out;
        }

        private String membersPrefix() {
            return PREFIX + token + "/members/";
        }

        /** The call on the first endpoint that answers; the last failure when none does. */
        private <T> T call(Function<KVGrpc.KVBlockingStub, T> request) throws IOException {
            StatusRuntimeException last = null;
            for (ManagedChannel channel : channels) {
                try {
                    return request.apply(KVGrpc.newBlockingStub(channel).withDeadlineAfter(requestTimeoutMs, TimeUnit.MILLISECONDS));
                } catch (StatusRuntimeException e) {
                    last = e;
                }
            }
            throw new IOException(last == null ? "no discovery endpoints" : last.getStatus().getCode() + ": "
                    + last.getStatus().getDescription());
        }

        @Override
        public void close() {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }
}
