package org.ketcd.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.ketcd.api.DiscoveryKeyspace;
import org.ketcd.server.config.ServerConfig;

/**
 * Who this member is and which cluster it belongs to. Computed once, at bootstrap, from the
 * {@code --initial-*} flags the way etcd derives its ids (SHA-1 of the sorted peer URLs and the
 * cluster token), then stored in the data dir: a restarted member ignores the flags and keeps this.
 */
public record MemberIdentity(String name, long memberId, long clusterId, List<ClusterMember> members) {

    /** A member of the bootstrap configuration. */
    public record ClusterMember(String name, long id, List<URI> peerUrls) {
    }

    static final String FILE = "identity.properties";

    /** Whether this member dir holds an identity, i.e. the member was bootstrapped already. */
    static boolean exists(Path memberDir) {
        return Files.exists(memberDir.resolve(FILE));
    }

    static MemberIdentity loadOrBootstrap(ServerConfig config, Path memberDir, DiscoveryKeyspace.V3Client v3Discovery)
            throws Exception {
        Path file = memberDir.resolve(FILE);
        if (Files.exists(file)) {
            return load(file);
        }
        MemberIdentity identity = bootstrap(config, config.initialCluster(v3Discovery));
        store(identity, file);
        return identity;
    }

    static MemberIdentity bootstrap(ServerConfig config) throws Exception {
        return bootstrap(config, config.initialCluster());
    }

    private static MemberIdentity bootstrap(ServerConfig config, Map<String, List<URI>> initialCluster) {
        String token = config.initialClusterToken();
        List<ClusterMember> members = new ArrayList<>();
        for (Map.Entry<String, List<URI>> m : initialCluster.entrySet()) {
            members.add(new ClusterMember(m.getKey(), memberId(m.getValue(), token), m.getValue()));
        }
        long self = members.stream().filter(m -> m.name().equals(config.name())).findFirst().orElseThrow().id();
        TreeSet<Long> ids = new TreeSet<>(Long::compareUnsigned);
        members.forEach(m -> ids.add(m.id()));
        ByteBuffer b = ByteBuffer.allocate(8 * ids.size());
        ids.forEach(b::putLong);
        return new MemberIdentity(config.name(), self, first8(sha1(b.array())), List.copyOf(members));
    }

    public static long memberId(List<URI> peerUrls, String token) {
        TreeSet<String> sorted = new TreeSet<>();
        peerUrls.forEach(u -> sorted.add(u.toString()));
        return first8(sha1((String.join("", sorted) + token).getBytes(StandardCharsets.UTF_8)));
    }

    /** etcd's way to make an id: the first 8 bytes of a SHA-1. */
    static long hashId(byte[] data) {
        return first8(sha1(data));
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long first8(byte[] hash) {
        return ByteBuffer.wrap(hash, 0, 8).getLong();
    }

    static void store(MemberIdentity id, Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("name", id.name());
        p.setProperty("member-id", Long.toHexString(id.memberId()));
        p.setProperty("cluster-id", Long.toHexString(id.clusterId()));
        p.setProperty("members", Integer.toString(id.members().size()));
        for (int i = 0; i < id.members().size(); i++) {
            ClusterMember m = id.members().get(i);
            p.setProperty("member." + i + ".name", m.name());
            p.setProperty("member." + i + ".id", Long.toHexString(m.id()));
            p.setProperty("member." + i + ".peer-urls", String.join(",", m.peerUrls().stream().map(URI::toString).toList()));
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Ketcd member identity: written at bootstrap, never changed by flags afterwards");
            out.flush();
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static MemberIdentity load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        int n = Integer.parseInt(p.getProperty("members"));
        List<ClusterMember> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<URI> urls = new ArrayList<>();
            for (String u : p.getProperty("member." + i + ".peer-urls").split(",")) {
                urls.add(URI.create(u));
            }
            members.add(new ClusterMember(p.getProperty("member." + i + ".name"),
                    Long.parseUnsignedLong(p.getProperty("member." + i + ".id"), 16), List.copyOf(urls)));
        }
        return new MemberIdentity(p.getProperty("name"), Long.parseUnsignedLong(p.getProperty("member-id"), 16),
                Long.parseUnsignedLong(p.getProperty("cluster-id"), 16), List.copyOf(members));
    }
}
