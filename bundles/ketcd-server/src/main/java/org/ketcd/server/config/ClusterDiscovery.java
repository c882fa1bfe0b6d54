package org.ketcd.server.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.DiscoveryKeyspace;
import org.ketcd.api.DiscoveryKeyspace.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's discovery protocol, the same over the v2 and the v3 keyspace: read the expected size,
 * register this member, wait until {@code size} members registered; the first {@code size} by
 * creation form the cluster and any later one is refused ("discovery: cluster is full"). The result
 * is an {@code --initial-cluster} value; the static bootstrap then runs on it.
 *
 * <p>Ketcd polls the registrations every {@link #POLL_INTERVAL_MS} ms where etcd watches them: the
 * same answer with less code, at most one poll interval later. Like etcd it waits without limit.
 */
final class ClusterDiscovery {
    static final long POLL_INTERVAL_MS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterDiscovery.class);

    /** A failure of the protocol, with etcd's text (e.g. "discovery: cluster is full"). */
    static final class Failure extends Exception {
        final boolean clusterFull;

        Failure(String message, boolean clusterFull) {
            super(message);
            this.clusterFull = clusterFull;
        }
    }

    private final DiscoveryKeyspace keyspace;
    private final String selfId;
    /** etcd's v2 text for an unparsable member list is "invalid URL", the v3 one "invalid peer URL". */
    private final String invalidUrl;

    ClusterDiscovery(DiscoveryKeyspace keyspace, String selfId, String invalidUrl) {
        this.keyspace = keyspace;
        this.selfId = selfId;
        this.invalidUrl = invalidUrl;
    }

    /** Registers {@code selfPeers} ({@code name=peerURL,...}) and returns the initial cluster once complete. */
    String join(String selfPeers) throws Failure, InterruptedException {
        checkCluster(); // fast path: a full cluster is refused before registering
        try {
            if (!keyspace.register(selfId, selfPeers)) {
                throw new Failure("discovery: found duplicate id", false);
            }
        } catch (IOException e) {
            throw new Failure(e.getMessage(), false);
        }
        int size = checkCluster();
        Set<String> announced = new LinkedHashSet<>();
        while (true) {
            List<Registration> all = registrations();
            List<Registration> first = all.subList(0, Math.min(size, all.size()));
            for (Registration r : first) {
                if (announced.add(r.memberId())) {
                    LOG.info(r.memberId().equals(selfId) ? "discovery: found self {} in the cluster"
                            : "discovery: found peer {} in the cluster", r.memberId());
                }
            }
            if (first.size() >= size) {
                LOG.info("discovery: found {} needed peer(s)", size);
                return toCluster(first, size);
            }
            LOG.info("discovery: found {} peer(s), waiting for {} more", first.size(), size - first.size());
            TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL_MS);
        }
    }

    /** The size; fails when it is missing or bad, or when the first {@code size} registrations leave this member out. */
    private int checkCluster() throws Failure {
        String value;
        try {
            value = keyspace.size();
        } catch (IOException e) {
            throw new Failure(e.getMessage(), false);
        }
        if (value == null) {
            throw new Failure("discovery: size key not found", false);
        }
        int size;
        try {
            size = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new Failure("discovery: size key is bad", false);
        }
        if (size <= 0) {
            throw new Failure("discovery: size key is bad", false);
        }
        List<Registration> all = registrations();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).memberId().equals(selfId)) {
                break;
            }
            if (i >= size - 1) {
                throw new Failure("discovery: cluster is full", true);
            }
        }
        return size;
    }

    private List<Registration> registrations() throws Failure {
        try {
            List<Registration> all = new ArrayList<>(keyspace.registrations());
            all.sort((a, b) -> Long.compare(a.createdIndex(), b.createdIndex()));
            return all;
        } catch (IOException e) {
            throw new Failure(e.getMessage(), false);
        }
    }

    private String toCluster(List<Registration> members, int size) throws Failure {
        String cluster = String.join(",", members.stream().map(Registration::peers).toList());
        Set<String> names = new LinkedHashSet<>();
        for (String part : cluster.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0 || !part.substring(eq + 1).matches("https?://[^/]+:\\d+/?")) {
                throw new Failure(invalidUrl, false);
            }
            names.add(part.substring(0, eq));
        }
        if (names.size() != size) {
            throw new Failure("discovery: found duplicate name", false);
        }
        return cluster;
    }
}
