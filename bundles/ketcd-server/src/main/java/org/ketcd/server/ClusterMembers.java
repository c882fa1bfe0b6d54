package org.ketcd.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.ketcd.api.Member;
import org.ketcd.raft.Command;

/**
 * The cluster's members as every member lists them (etcd's membership store): seeded from the
 * bootstrap configuration, then changed only by applied commands, so all members agree. Kept in
 * {@code member/members.properties}, rewritten and fsynced on each change: changes are rare, and
 * idempotent, so a replay after a crash simply writes the same again.
 */
final class ClusterMembers {
    static final String FILE = "members.properties";

    private final Path file;
    private final Map<Long, Member> members = new LinkedHashMap<>();
    private final CompletableFuture<Void> selfRemoved = new CompletableFuture<>();
    private long selfId;

    private ClusterMembers(Path file) {
        this.file = file;
    }

    /**
     * Loads the members of {@code memberDir}; on first start seeds them with {@code initial}: the
     * bootstrap configuration, or the list a joining member got from the cluster it joins.
     */
    static ClusterMembers open(Path memberDir, List<Member> initial) {
        ClusterMembers c = new ClusterMembers(memberDir.resolve(FILE));
        if (Files.exists(c.file)) {
            c.load(c.file);
        } else {
            initial.forEach(m -> c.members.put(m.id(), m));
            c.store();
        }
        return c;
    }

    /** The bootstrap configuration as a member list: nobody has published client URLs yet. */
    static List<Member> bootstrapMembers(MemberIdentity identity) {
        return identity.members().stream().map(m -> new Member(m.id(), m.name(),
                m.peerUrls().stream().map(URI::toString).toList(), List.of(), false)).toList();
    }

    /** Completes when a change removing member {@code self} (this member) has been applied. */
    synchronized CompletableFuture<Void> removal(long self) {
        this.selfId = self;
        return selfRemoved;
    }

    synchronized List<Member> list() {
        return List.copyOf(members.values());
    }

    synchronized Member get(long id) {
        return members.get(id);
    }

    /**
     * Applies a replicated change; returns the member list after it. Every change sets a state
     * (never adds to one), so replaying it after a crash or on a joining member changes nothing more.
     * A publish from a member no longer in the cluster is ignored, as etcd ignores a stale publish.
     */
    synchronized List<Member> apply(Command.MemberChange.Kind kind, Member change) {
        Member current = members.get(change.id());
        Member updated = switch (kind) {
            case ADD -> change;
            case REMOVE -> null;
            case PUBLISH -> current == null ? null
                    : new Member(current.id(), change.name(), current.peerUrls(), change.clientUrls(), current.learner());
            case UPDATE -> current == null ? null
                    : new Member(current.id(), current.name(), change.peerUrls(), current.clientUrls(), current.learner());
            case PROMOTE -> current == null ? null
                    : new Member(current.id(), current.name(), current.peerUrls(), current.clientUrls(), false);
        };
        if (updated == null ? current != null && kind == Command.MemberChange.Kind.REMOVE : !updated.equals(current)) {
            if (updated == null) {
                members.remove(change.id());
                if (change.id() == selfId) {
                    selfRemoved.complete(null);
                }
            } else {
                members.put(updated.id(), updated);
            }
            store();
        }
        return list();
    }

    /** Copies the member list into {@code dir}, for a state snapshot. */
    synchronized void copyTo(Path dir) {
        try {
            Files.copy(file, dir.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + file, e);
        }
    }

    /** Replaces the member list with the one a state snapshot holds in {@code dir}. */
    synchronized void replaceFrom(Path dir) {
        members.clear();
        load(dir.resolve(FILE));
        store();
    }

    private void load(Path from) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(from)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + from, e);
        }
        int n = Integer.parseInt(p.getProperty("members"));
        for (int i = 0; i < n; i++) {
            String prefix = "member." + i + ".";
            long id = Long.parseUnsignedLong(p.getProperty(prefix + "id"), 16);
            members.put(id, new Member(id, p.getProperty(prefix + "name"), urls(p.getProperty(prefix + "peer-urls")),
                    urls(p.getProperty(prefix + "client-urls")), Boolean.parseBoolean(p.getProperty(prefix + "learner"))));
        }
    }

    private static List<String> urls(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.copyOf(Arrays.asList(joined.split(",")));
    }

    private void store() {
        Properties p = new Properties();
        List<Member> all = new ArrayList<>(members.values());
        p.setProperty("members", Integer.toString(all.size()));
        for (int i = 0; i < all.size(); i++) {
            Member m = all.get(i);
            String prefix = "member." + i + ".";
            p.setProperty(prefix + "id", Long.toHexString(m.id()));
            p.setProperty(prefix + "name", m.name());
            p.setProperty(prefix + "peer-urls", String.join(",", m.peerUrls()));
            p.setProperty(prefix + "client-urls", String.join(",", m.clientUrls()));
            p.setProperty(prefix + "learner", Boolean.toString(m.learner()));
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "Ketcd cluster members: changed only by applied Raft commands");
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
