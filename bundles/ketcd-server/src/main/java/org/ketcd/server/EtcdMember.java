package org.ketcd.server;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.EtcdServer;
import org.ketcd.mvcc.MvccOptions;
import org.ketcd.mvcc.MvccStore;
import org.ketcd.raft.RaftNode;
import org.ketcd.raft.RaftPeerSpec;
import org.ketcd.raft.RaftSettings;
import org.ketcd.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running member: its identity, MVCC store and Raft node, and the server over them. Plain Java:
 * the OSGi component, the tests and any embedding start it the same way.
 * Data dir layout: {@code member/identity.properties}, {@code member/db} (Derby), {@code member/wal} (Raft log).
 */
public final class EtcdMember implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdMember.class);
    /** How long start() waits for a Raft leader, in election timeouts, before serving anyway. */
    static final int LEADER_WAIT_ELECTION_TIMEOUTS = 10;

    private final ServerConfig config;
    private final MvccStore store;
    private final RaftNode raft;
    private final KetcdServer server;
    private final MemberIdentity identity;
    private final ScheduledExecutorService compactor;

    private final StoreApplier applier;
    private final ScheduledExecutorService committer;

    private EtcdMember(ServerConfig config, MemberIdentity identity, MvccStore store, RaftNode raft, KetcdServer server,
                       StoreApplier applier) {
        this.config = config;
        this.identity = identity;
        this.store = store;
        this.raft = raft;
        this.server = server;
        this.applier = applier;
        this.committer = daemonTimer("ketcd-backend-commit");
        committer.scheduleWithFixedDelay(applier::flushIfDue, StoreApplier.COMMIT_INTERVAL_MS,
                StoreApplier.COMMIT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        this.compactor = startAutoCompaction();
    }

    private static ScheduledExecutorService daemonTimer(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs etcd's auto-compaction when --auto-compaction-retention is set; only the leader compacts. */
    private ScheduledExecutorService startAutoCompaction() {
        long retention = config.autoCompactionRetention();
        if (retention == 0) {
            return null;
        }
        AutoCompaction.Mode mode = config.autoCompactionByRevision() ? AutoCompaction.Mode.REVISION : AutoCompaction.Mode.PERIODIC;
        AutoCompaction compaction = new AutoCompaction(mode, retention, System.currentTimeMillis(), store::currentRevision,
                revision -> {
                    if (raft.leaderId() == identity.memberId()) {
                        LOG.info("auto-compaction ({}, retention {}): compacting to revision {}", mode, retention, revision);
                        server.compact(new CompactionRequest(revision, false)).whenComplete((r, e) -> {
                            if (e != null) {
                                LOG.info("auto-compaction to revision {} not done: {}", revision, e.getMessage());
                            }
                        });
                    }
                });
        ScheduledExecutorService timer = daemonTimer("ketcd-auto-compaction");
        timer.scheduleAtFixedRate(() -> compaction.tick(System.currentTimeMillis()), compaction.tickInterval(),
                compaction.tickInterval(), TimeUnit.MILLISECONDS);
        return timer;
    }

    public static EtcdMember start(ServerConfig config) throws Exception {
        Path memberDir = config.dataDir().resolve("member");
        Files.createDirectories(memberDir);
        MemberIdentity identity = MemberIdentity.loadOrBootstrap(config, memberDir);
        MvccStore store = MvccStore.open(memberDir.resolve("db"), MvccOptions.defaults());
        RaftNode raft = null;
        try {
            long recoveredIndex = store.consistentIndex();
            Alarms alarms = new Alarms(store.loadAlarms());
            StoreApplier applier = new StoreApplier(store, alarms);
            raft = RaftNode.start(raftSettings(config, identity, memberDir), applier);
            // A single member elects itself within two election timeouts; a cluster member may wait for its peers.
            if (!raft.awaitLeader(LEADER_WAIT_ELECTION_TIMEOUTS * (long) config.electionTimeoutMs())) {
                LOG.warn("no Raft leader after {} election timeouts; serving anyway, writes fail until one is elected",
                        LEADER_WAIT_ELECTION_TIMEOUTS);
            }
            KetcdServer server = new KetcdServer(config, identity, store, raft, alarms);
            LOG.info("store recovered at Raft index {} (revision {}); log applied up to index {}",
                    recoveredIndex, store.currentRevision(), raft.appliedIndex());
            LOG.info("member {} ({}) of cluster {} started, data dir {}", identity.name(),
                    Long.toHexString(identity.memberId()), Long.toHexString(identity.clusterId()), config.dataDir());
            return new EtcdMember(config, identity, store, raft, server, applier);
        } catch (Exception | Error e) {
            if (raft != null) {
                raft.close();
            }
            store.close();
            throw e;
        }
    }

    private static RaftSettings raftSettings(ServerConfig config, MemberIdentity identity, Path memberDir) {
        List<RaftPeerSpec> peers = identity.members().stream()
                .map(m -> new RaftPeerSpec(m.id(), hostPort(m.peerUrls().get(0)))).toList();
        RaftPeerSpec self = peers.stream().filter(p -> p.memberId() == identity.memberId()).findFirst().orElseThrow();
        // The Raft group id derives from the cluster id, itself derived from the token: clusters
        // bootstrapped with different tokens never accept each other's messages.
        UUID groupId = UUID.nameUUIDFromBytes(("ketcd-cluster-" + Long.toHexString(identity.clusterId()))
                .getBytes(StandardCharsets.UTF_8));
        return new RaftSettings(self, hostPort(config.listenPeerUrls().get(0)), peers, groupId,
                memberDir.resolve("wal"), config.heartbeatIntervalMs(), config.electionTimeoutMs());
    }

    private static String hostPort(URI url) {
        return url.getHost() + ":" + url.getPort();
    }

    public EtcdServer server() {
        return server;
    }

    public ServerConfig config() {
        return config;
    }

    public long memberId() {
        return identity.memberId();
    }

    @Override
    public void close() throws Exception {
        if (compactor != null) {
            compactor.shutdownNow();
        }
        committer.shutdownNow();
        try {
            raft.close();
            applier.flush();
        } finally {
            store.close();
        }
        LOG.info("member {} stopped", identity.name());
    }
}
