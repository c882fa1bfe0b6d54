package org.ketcd.server;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.Alarm;
import org.ketcd.api.AlarmType;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DiscoveryKeyspace;
import org.ketcd.api.FatalErrorHandler;
import org.ketcd.api.EtcdServer;
import org.ketcd.mvcc.MvccStore;
import org.ketcd.server.auth.AuthStore;
import org.ketcd.raft.Command;
import org.ketcd.raft.PeerService;
import org.ketcd.raft.PeerTransport;
import org.ketcd.raft.RaftNode;
import org.ketcd.raft.RaftPeerSpec;
import org.ketcd.raft.RaftSettings;
import org.ketcd.server.config.ServerConfig;
import org.ketcd.server.watch.CatchUpThread;
import org.ketcd.server.watch.WatchHub;
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
    /** Pause before publishing this member's attributes again after a failed attempt. */
    static final long PUBLISH_RETRY_MS = 1_000;
    /** Subdirectories of {@code <data-dir>/member}: the Derby store and the Raft log. */
    static final String STORE_DIR = "db";
    static final String RAFT_LOG_DIR = "wal";

    private final ServerConfig config;
    private final MvccStore store;
    private final RaftNode raft;
    private final KetcdServer server;
    private final MemberIdentity identity;
    /** Auto-compaction's timer (null when off); replaced when a configuration change alters it. */
    private ScheduledExecutorService compactor;
    /** The auto-compaction settings {@link #compactor} runs with: mode and retention. */
    private String compaction;
    private final ScheduledExecutorService corruptCheck;

    private final StoreApplier applier;
    private final ScheduledExecutorService committer;
    private final WatchHub watchHub;
    private final CatchUpThread watchCatchUp;
    private final ScheduledExecutorService watchProgress;
    private volatile boolean closed;
    private final CompletableFuture<Void> removed;
    private final LeaseExpiry leaseExpiry;
    private final CompletableFuture<Void> published = new CompletableFuture<>();

    private EtcdMember(ServerConfig config, MemberIdentity identity, MvccStore store, RaftNode raft, KetcdServer server,
                       StoreApplier applier, CompletableFuture<Void> removed, Lessor lessor, WatchHub watchHub,
                       CatchUpThread watchCatchUp, FatalErrorHandler fatal) {
        this.removed = removed;
        this.leaseExpiry = new LeaseExpiry(lessor, raft);
        this.watchHub = watchHub;
        this.watchCatchUp = watchCatchUp;
        this.watchProgress = daemonTimer("ketcd-watch-progress");
        watchProgress.scheduleAtFixedRate(watchHub::progressTick, config.watchProgressNotifyIntervalMs(),
                config.watchProgressNotifyIntervalMs(), TimeUnit.MILLISECONDS);
        this.config = config;
        this.identity = identity;
        this.store = store;
        this.raft = raft;
        this.server = server;
        this.applier = applier;
        this.committer = daemonTimer("ketcd-backend-commit");
        committer.scheduleWithFixedDelay(() -> {
            try {
                applier.flushIfDue();
            } catch (RuntimeException e) {
                // Applied writes could no longer reach Derby (a full disk): stop, and let a restart replay them
                // from the Raft log, rather than keep serving from memory what the store never holds.
                fatal.fatal("committing applied writes to the store failed", e);
                throw e;
            }
        }, StoreApplier.COMMIT_INTERVAL_MS, StoreApplier.COMMIT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        this.compaction = compactionOf(config);
        this.compactor = startAutoCompaction(config);
        this.corruptCheck = startCorruptCheck();
        publish();
    }

    /** Publishes this member's attributes, retrying every {@link #PUBLISH_RETRY_MS} until applied or closed. */
    private void publish() {
        server.publishSelf().whenComplete((done, error) -> {
            if (error == null) {
                published.complete(null);
            } else if (!closed) {
                LOG.info("publishing member attributes not done yet ({}); retrying", error.getMessage());
                CompletableFuture.delayedExecutor(PUBLISH_RETRY_MS, TimeUnit.MILLISECONDS).execute(this::publish);
            }
        });
    }

    /** Completes once this member's name and client URLs are in the replicated member list. */
    public CompletableFuture<Void> published() {
        return published;
    }

    /** etcd's log line once a member's name and client URLs are in the member list (tools wait for it). */
    public String publishedLine() {
        return "published {Name:" + config.name() + " ClientURLs:["
                + String.join(" ", config.advertiseClientUrls().stream().map(URI::toString).toList())
                + "]} to cluster " + Long.toHexString(identity.clusterId());
    }

    private static ScheduledExecutorService daemonTimer(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Applies what a running member changes at once when its configuration changes ({@link
     * org.ketcd.server.config.ConfigChange}): the backend quota, and auto-compaction (restarted with its new mode and
     * retention; its period starts again). The log level is Pax Logging's, set by the OSGi component.
     */
    public synchronized void applyLiveSettings(ServerConfig next) {
        if (closed) {
            return;
        }
        server.quotaBackendBytes(next.quotaBackendBytes());
        if (!compactionOf(next).equals(compaction)) {
            if (compactor != null) {
                GentleStop.stop(compactor, "auto-compaction", STORE_TASK_STOP_TIMEOUT_MS);
            }
            compaction = compactionOf(next);
            compactor = startAutoCompaction(next);
        }
    }

    private static String compactionOf(ServerConfig c) {
        return (c.autoCompactionByRevision() ? "revision " : "periodic ") + c.autoCompactionRetention();
    }

    /** Runs etcd's auto-compaction when --auto-compaction-retention is set; only the leader compacts. */
    private ScheduledExecutorService startAutoCompaction(ServerConfig config) {
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

    /** Runs etcd's periodic corruption check when --experimental-corrupt-check-time is set; only the leader checks. */
    private ScheduledExecutorService startCorruptCheck() {
        long interval = config.corruptCheckIntervalMs();
        if (interval == 0) {
            return null;
        }
        PeriodicCorruptCheck check = new PeriodicCorruptCheck(identity.memberId(), store, server::members, raft, corrupt -> {
            LOG.error("raising the CORRUPT alarm for member {}", Long.toHexString(corrupt));
            raft.propose(new Command.AlarmChange(true, new Alarm(corrupt, AlarmType.CORRUPT))).whenComplete((r, e) -> {
                if (e != null) {
                    LOG.warn("the CORRUPT alarm for member {} was not raised: {}", Long.toHexString(corrupt), e.getMessage());
                }
            });
        });
        LOG.info("enabled corruption checking with {}ms interval", interval);
        ScheduledExecutorService timer = daemonTimer("ketcd-corrupt-check");
        timer.scheduleWithFixedDelay(() -> {
            try {
                check.check();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("corruption check failed: {}", e.getMessage());
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
        return timer;
    }

    /** Logs a fatal error and goes on: for members embedded in a test, where nothing else may end the JVM. */
    static final FatalErrorHandler LOG_FATAL = (reason, cause) -> LOG.error("ketcd: fatal: {}", reason, cause);

    public static EtcdMember start(ServerConfig config) throws Exception {
        return start(config, null, LOG_FATAL);
    }

    /**
     * Starts a member; {@code v3Discovery} is the client for {@code --discovery-endpoints} (the gRPC
     * bundle provides it; null when there is none); {@code fatal} is told when the member can no longer
     * serve (bin/ketcd ends the process).
     */
    public static EtcdMember start(ServerConfig config, DiscoveryKeyspace.V3Client v3Discovery, FatalErrorHandler fatal)
            throws Exception {
        Path memberDir = config.dataDir().resolve("member");
        // etcd checks its data, member and snap dirs; the Raft log here holds values too
        for (Path dir : List.of(config.dataDir(), memberDir, memberDir.resolve(STORE_DIR), memberDir.resolve(RAFT_LOG_DIR))) {
            PrivateDirectory.touch(dir).ifPresent(LOG::warn);
        }
        if (!config.configFileNote().isEmpty()) {
            LOG.info(config.configFileNote());
        }
        config.ignoredFlagWarnings().forEach(LOG::warn);
        boolean bootstrapping = !MemberIdentity.exists(memberDir);
        // --initial-cluster-state existing: this member was added with `member add` and joins a running cluster.
        if (config.clientAutoTls()) {
            SelfSignedCertificate.ensure(Path.of(config.clientTls().certFile()), Path.of(config.clientTls().keyFile()),
                    config.listenClientUrls(), false);
        }
        if (config.peerAutoTls() && !config.peerTls().isEmpty()) {
            SelfSignedCertificate.ensure(Path.of(config.peerTls().certFile()), Path.of(config.peerTls().keyFile()),
                    config.listenPeerUrls(), true);
        }
        PeerTransport transport = PeerTransport.of(config.peerTls());
        ClusterJoin join = bootstrapping && !config.initialClusterStateNew() ? ClusterJoin.find(config, transport) : null;
        MemberIdentity identity = join != null ? join.identity(memberDir) : MemberIdentity.loadOrBootstrap(config, memberDir, v3Discovery);
        ReplaceableStore store = new ReplaceableStore(memberDir.resolve(STORE_DIR), config.storeOptions());
        Path restored = memberDir.resolve(STORE_DIR).resolve(SnapshotRestore.MARKER);
        if (Files.exists(restored)) {
            // Restored from a snapshot: the old cluster's Raft indexes mean nothing to this cluster's new log.
            store.setConsistentIndex(0);
            store.commit();
            Files.delete(restored);
            LOG.info("data restored from a snapshot: revision {}, consistent index reset for the new Raft log",
                    store.currentRevision());
        }
        RaftNode raft = null;
        // the hub follows the store's change feed from before the Raft log is replayed into it
        CatchUpThread watchCatchUp = new CatchUpThread("ketcd-watch-catch-up");
        WatchHub watchHub = new WatchHub(store, watchCatchUp::wake);
        watchCatchUp.start(watchHub::catchUpRound);
        try {
            long recoveredIndex = store.consistentIndex();
            Alarms alarms = new Alarms(store.loadAlarms());
            ClusterMembers members = ClusterMembers.open(memberDir,
                    join != null ? join.members() : ClusterMembers.bootstrapMembers(identity));
            Lessor lessor = new Lessor(store, Lessor.minTtlSeconds(config.electionTimeoutMs(), config.heartbeatIntervalMs()));
            AuthStore auth = new AuthStore(store, config.bcryptCost(), config.authTokenTtlSeconds(), config.authToken());
            StoreApplier applier = new StoreApplier(store, alarms, members, lessor, auth);
            AtomicReference<RaftNode> node = new AtomicReference<>();
            PeerService peerService = new PeerService(() -> new PeerService.Answer(identity.clusterId(), identity.memberId(),
                    identity.name(), node.get() == null ? 0 : node.get().leaderId(),
                    node.get() == null ? 0 : node.get().appliedIndex(), members.list()));
            boolean finishForcing = !bootstrapping && ForceNewCluster.unfinished(memberDir);
            if (!bootstrapping && config.forceNewCluster() && !finishForcing) {
                raft = RaftNode.start(raftSettings(config, identity, members, peerService, transport, memberDir, fatal), applier);
                RaftNode old = raft;
                raft = null;
                ForceNewCluster.replay(old, applier);
            }
            if (!bootstrapping && (config.forceNewCluster() || finishForcing)) {
                ForceNewCluster.reshape(memberDir, store, members, identity.memberId(), memberDir.resolve(RAFT_LOG_DIR));
            }
            raft = RaftNode.start(raftSettings(config, identity, members, peerService, transport, memberDir, fatal), applier);
            node.set(raft);
            raft.onPeerQuery(query -> InitialCorruptCheck.answer(store, query));
            raft.onLeaderQuery(query -> LeaseQueries.answer(query, lessor, store));
            // etcd's Promote(electionTimeout): a new leader gives every lease a full TTL plus an election.
            raft.onLeadership(leads -> {
                if (leads) {
                    lessor.promote(config.electionTimeoutMs());
                } else {
                    lessor.demote();
                }
            });
            if (join != null) {
                join.enter(raft);
            }
            awaitLeader(config, identity, raft, transport);
            if (config.initialCorruptCheck()) {
                InitialCorruptCheck.run(identity.memberId(), store, members.list(), raft);
            }
            KetcdServer server = new KetcdServer(config, identity, store, raft, alarms, members, lessor, watchHub, auth);
            LOG.info("store recovered at Raft index {} (revision {}); log applied up to index {}",
                    recoveredIndex, store.currentRevision(), raft.appliedIndex());
            LOG.info("member {} ({}) of cluster {} started, data dir {}", identity.name(),
                    Long.toHexString(identity.memberId()), Long.toHexString(identity.clusterId()), config.dataDir());
            return new EtcdMember(config, identity, store, raft, server, applier, members.removal(identity.memberId()),
                    lessor, watchHub, watchCatchUp, fatal);
        } catch (Exception | Error e) {
            if (raft != null) {
                raft.close();
            }
            watchHub.close();
            watchCatchUp.close();
            store.close();
            if (bootstrapping && (raft == null || e instanceof PeerCheck.ClusterMismatchException || join != null)) {
                // Nothing was replicated to this member yet that the cluster counts on: forget the
                // bootstrap, so that a start with corrected flags begins afresh.
                deleteRecursively(memberDir);
            }
            throw e;
        }
    }

    /**
     * Waits for a leader, at most {@link #LEADER_WAIT_ELECTION_TIMEOUTS} election timeouts (a single
     * member elects itself within two; a cluster member may wait for its peers), meanwhile checking
     * that the peers it reaches belong to its cluster: a member bootstrapped with another token or
     * member list fails here instead of knocking at its peers forever.
     */
    private static void awaitLeader(ServerConfig config, MemberIdentity identity, RaftNode raft, PeerTransport transport)
            throws Exception {
        PeerCheck peers = new PeerCheck(identity, transport);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_WAIT_ELECTION_TIMEOUTS * (long) config.electionTimeoutMs());
        while (!raft.awaitLeader(PeerCheck.PROBE_INTERVAL_MS)) {
            peers.probe();
            if (System.nanoTime() > deadline) {
                LOG.warn("no Raft leader after {} election timeouts; serving anyway, writes fail until one is elected",
                        LEADER_WAIT_ELECTION_TIMEOUTS);
                return;
            }
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static RaftSettings raftSettings(ServerConfig config, MemberIdentity identity, ClusterMembers members,
                                              PeerService peerService, PeerTransport transport, Path memberDir,
                                              FatalErrorHandler fatal) {
        // The configuration this member starts with when its log is new: the bootstrap members, or
        // the members of the cluster it joins (whose leader then sends the real configuration).
        List<RaftPeerSpec> peers = members.list().stream()
                .map(m -> new RaftPeerSpec(m.id(), hostPort(URI.create(m.peerUrls().get(0))), m.learner())).toList();
        RaftPeerSpec self = peers.stream().filter(p -> p.memberId() == identity.memberId()).findFirst().orElseThrow();
        // The Raft group id derives from the cluster id, itself derived from the token: clusters
        // bootstrapped with different tokens never accept each other's messages.
        UUID groupId = UUID.nameUUIDFromBytes(("ketcd-cluster-" + Long.toHexString(identity.clusterId()))
                .getBytes(StandardCharsets.UTF_8));
        return new RaftSettings(self, hostPort(config.listenPeerUrls().get(0)), peers, groupId,
                memberDir.resolve(RAFT_LOG_DIR), config.heartbeatIntervalMs(), config.electionTimeoutMs(), config.snapshotCount(),
                peerService, transport, fatal);
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

    /**
     * Completes when this member has been removed from the cluster (etcd: "the member has been
     * permanently removed from the cluster"); whoever runs the member then stops it.
     */
    public CompletableFuture<Void> removedFromCluster() {
        return removed;
    }

    /** The first index still in this member's Raft log (it moves on as snapshots purge the log). */
    public long raftLogStart() {
        return raft.firstLogIndex();
    }

    /** The last committed index in this member's Raft log. */
    public long raftLogEnd() {
        return raft.lastLogIndex();
    }

    public long memberId() {
        return identity.memberId();
    }

    /** How long close() waits for a running batch commit or compaction to finish. */
    static final long STORE_TASK_STOP_TIMEOUT_MS = 30_000;

    @Override
    public synchronized void close() throws Exception {
        if (!closed && !removed.isDone()) {
            LeadershipHandOff.beforeStop(raft, identity.memberId(), config.electionTimeoutMs());
        }
        closed = true;
        // Never interrupt a thread that may be inside Derby (see GentleStop): a running batch commit or compaction finishes.
        if (compactor != null) {
            GentleStop.stop(compactor, "auto-compaction", STORE_TASK_STOP_TIMEOUT_MS);
        }
        if (corruptCheck != null) {
            GentleStop.stop(corruptCheck, "corruption check", STORE_TASK_STOP_TIMEOUT_MS);
        }
        GentleStop.stop(committer, "backend commit", STORE_TASK_STOP_TIMEOUT_MS);
        leaseExpiry.close();
        server.close();
        watchProgress.shutdownNow();
        watchHub.close();
        watchCatchUp.close();
        try {
            raft.close();
            applier.flush();
        } finally {
            store.close();
        }
        LOG.info("member {} stopped", identity.name());
    }
}
