package org.ketcd.server.osgi;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.BinKetcd;
import org.ketcd.api.DiscoveryKeyspace;
import org.ketcd.api.EtcdServer;
import org.ketcd.raft.RaftNode;
import org.ketcd.server.EtcdMember;
import org.ketcd.server.config.ConfigChange;
import org.ketcd.server.config.ConfigCheck;
import org.ketcd.server.config.ConfigException;
import org.ketcd.server.config.ListenPorts;
import org.ketcd.server.config.ServerConfig;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts this member's {@link EtcdMember} from ConfigAdmin PID {@code org.ketcd.server}
 * ({@code etc/org.ketcd.server.cfg}, keys are etcd flag names such as {@code listen-client-urls}),
 * the {@code ETCD_*} environment and the command-line flags of {@code bin/ketcd}, in etcd's
 * precedence order, and registers its {@link EtcdServer} as an OSGi service with the client URLs
 * as service properties. Stops the member when deactivated (bundle stop/update, its configuration deleted). A changed
 * configuration ({@link #modified}) applies at once what a running member can change and logs what waits for its
 * next start: the member keeps running either way, since the cfg file is shared by every member of the distribution
 * and restarting them all on one edit would stop the cluster.
 *
 * <p>Flags arrive from {@code bin/ketcd} as a file, the arguments separated by NUL bytes (so any
 * argument survives): the file named by the system property {@value #ARGS_FILE_PROPERTY}, or else
 * {@code ${karaf.data}/ketcd.args}. {@code bin/ketcd} gives every member its own {@code karaf.data}
 * (its runtime dir, outside the data dir) and rewrites the file at each start; a Karaf not started by
 * {@code bin/ketcd} has no such file and uses only ConfigAdmin and the environment.
 */
@Component(name = "org.ketcd.server", configurationPid = "org.ketcd.server",
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
public final class EtcdMemberComponent {
    static final String ARGS_FILE_PROPERTY = BinKetcd.ARGS_FILE_PROPERTY;
    /** Service property: the member's client listen URLs (String[]). */
    public static final String PROP_LISTEN_CLIENT_URLS = "ketcd.listen.client.urls";
    /** etcd's --listen-metrics-urls: where the gRPC bundle also serves /metrics and the health endpoints. */
    public static final String PROP_LISTEN_METRICS_URLS = "ketcd.listen.metrics.urls";
    public static final String PROP_ADVERTISE_CLIENT_URLS = "ketcd.advertise.client.urls";
    public static final String PROP_MEMBER_NAME = "ketcd.member.name";
    public static final String PROP_MEMBER_ID = "ketcd.member.id";

    /** Set by bin/ketcd: the directory it was started in, against which relative paths in flags resolve. */
    static final String WORKING_DIR_PROPERTY = "ketcd.working.dir";
    /** How long a removed member keeps running before it exits. */
    static final long REMOVED_EXIT_DELAY_MS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(EtcdMemberComponent.class);

    private EtcdMember member;
    private ServiceRegistration<EtcdServer> registration;
    /** The configuration the member started with: its settings other than the live ones stay these until it stops. */
    private ServerConfig started;
    /** The configuration the member's live settings come from: its start's, then each change's. */
    private ServerConfig current;

    /** Pax Logging's configuration, where a changed --log-level goes; optional (absent outside Karaf). */
    @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
    private volatile org.osgi.service.cm.ConfigurationAdmin configAdmin;

    /** System property set once a member has started in this JVM (a string: it outlives this bundle's revisions). */
    static final String STARTED_IN_THIS_JVM = "ketcd.member.started";

    @Activate
    synchronized void activate(BundleContext context, Map<String, Object> properties) throws Exception {
        String interruptLeftToJvm = BinKetcd.argsFile() == null ? null : InterruptAsTerminate.install();
        if (interruptLeftToJvm != null) {
            LOG.info("SIGINT is left to the JVM ({}): only SIGTERM stops the member with exit status 0", interruptLeftToJvm);
        }
        ServerConfig config;
        try {
            String workingDir = System.getProperty(WORKING_DIR_PROPERTY);
            config = ServerConfig.resolve(commandLineArgs(), System.getenv(), cfgProperties(properties),
                    workingDir == null ? null : Path.of(workingDir));
            // again, before anything is created: a port may have been taken while Karaf booted. Not when the member
            // restarts inside this JVM (a core bundle updated): its ports are its own, the client port possibly still
            // open, held by the gRPC bundle for the connections made meanwhile.
            if (System.getProperty(STARTED_IN_THIS_JVM) == null) {
                ListenPorts.check(config);
            }
        } catch (ConfigException e) {
            // a bad flag value bin/ketcd's own check could not see, or a port taken since that check
            LOG.error("ketcd: {}", e.getMessage());
            if (BinKetcd.exitIfStartedByIt(e.exitStatus())) {
                return;
            }
            throw e;
        }
        // etcd's first lines name its version; an operator in a rolling update reads which build a member runs here
        LOG.info("ketcd Version: {}", ConfigCheck.version());
        // Ratis is embedded in ketcd-raft and loads its RPC and metrics implementations by class
        // name through the context class loader; its threads inherit the loader set here.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RaftNode.class.getClassLoader());
        try {
            member = EtcdMember.start(config, v3DiscoveryClient(context, config), this::fatal);
            System.setProperty(STARTED_IN_THIS_JVM, "true");
            started = config;
            current = config;
        } catch (Exception | Error e) {
            LOG.error("ketcd: {}", e.getMessage());
            if (BinKetcd.exitIfStartedByIt(FATAL_EXIT_STATUS)) {
                return; // thrown, it would be logged again by SCR, with its stack trace, while the process ends
            }
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
        // After a grace period, so that the removal request this member may itself be serving completes.
        member.removedFromCluster().thenRunAsync(() -> {
            // As etcd: a removed member stops; under bin/ketcd the process ends (status 0, as etcd's).
            LOG.error("ketcd: the member has been permanently removed from the cluster; "
                    + "the data-dir used by this member must be removed before it can join again");
            BinKetcd.exitIfStartedByIt(0);
        }, CompletableFuture.delayedExecutor(REMOVED_EXIT_DELAY_MS, TimeUnit.MILLISECONDS));
        try {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(PROP_LISTEN_CLIENT_URLS, toStrings(config.listenClientUrls()));
            props.put(PROP_LISTEN_METRICS_URLS, toStrings(config.listenMetricsUrls()));
            props.put(PROP_ADVERTISE_CLIENT_URLS, toStrings(config.advertiseClientUrls()));
            props.put(PROP_MEMBER_NAME, config.name());
            props.put(PROP_MEMBER_ID, Long.toHexString(member.memberId()));
            config.clientTls().toProperties().forEach(props::put);
            config.clientGrpcSettings().toProperties().forEach(props::put);
            registration = context.registerService(EtcdServer.class, member.server(), props);
        } catch (RuntimeException e) {
            closeMember();
            throw e;
        }
        // etcd's readiness lines, which tools that watch etcd's log wait for: once the member's attributes are
        // published and its client endpoints serve (gRPC, activated by the registration above, and the JSON
        // gateway when its bundle is installed). Ketcd's cluster version is fixed: a member serves etcd 3.4's API
        // from its start.
        EtcdMember started = member;
        ServerConfig serving = config;
        // on a thread of its own: the wait for the gateway may take a while, and must not hold a shared pool's thread
        Thread lines = new Thread(() -> {
            awaitGatewayIfInstalled(context);
            LOG.info("{}", started.publishedLine());
            LOG.info("enabled capabilities for version 3.4");
            LOG.info("ketcd: member {} ready: clients on {}, peers on {}; {} ms after the JVM started", serving.name(),
                    serving.listenClientUrls(), serving.listenPeerUrls(),
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
            ClassDataDump.memberServes();
        }, "ketcd-readiness-lines");
        lines.setDaemon(true);
        started.published().thenRun(lines::start);
    }

    /**
     * The configuration changed (etc/org.ketcd.server.cfg edited, or config:edit): resolved again with the flags and
     * environment, in etcd's precedence; the log level, quota and auto-compaction change at once, every other change is
     * logged as waiting for the member's next start. A configuration that no longer resolves changes nothing.
     */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        if (member == null || current == null) {
            return;
        }
        ServerConfig next;
        try {
            String workingDir = System.getProperty(WORKING_DIR_PROPERTY);
            next = ServerConfig.resolve(commandLineArgs(), System.getenv(), cfgProperties(properties),
                    workingDir == null ? null : Path.of(workingDir));
        } catch (ConfigException | IOException e) {
            LOG.error("ketcd: the changed configuration is refused, the member keeps its own: {}", e.getMessage());
            return;
        }
        ConfigChange change = ConfigChange.between(started, current, next);
        if (change.isEmpty()) {
            LOG.info("ketcd: the configuration changed, with no effect on this member's settings (flags and ETCD_* "
                    + "environment variables take precedence over the cfg file)");
            return;
        }
        member.applyLiveSettings(next);
        change.live().forEach(c -> LOG.info("ketcd: configuration changed, applied: {}", c));
        change.needRestart().forEach(c -> LOG.warn("ketcd: configuration changed, effective at the member's next start: {}", c));
        change.withdrawn().forEach(c -> LOG.info("ketcd: configuration changed back to the value the member runs with, "
                + "nothing waits for its next start: {}", c));
        current = next;
        // last: Pax Logging reconfigures on a thread of its own, and lines logged meanwhile may be lost
        if (change.logLevelChanged()) {
            applyLogLevel(next.logLevel());
        }
    }

    /** Pax Logging's configuration and the keys of its levels that --log-level sets (etc/org.ops4j.pax.logging.cfg). */
    static final String LOGGING_PID = "org.ops4j.pax.logging";
    static final String KETCD_LEVEL_KEY = "log4j2.logger.ketcd.level";
    static final String FILEINSTALL_LEVEL_KEY = "log4j2.logger.fileinstall.level";
    static final String LIBRARY_LEVEL_KEY = "log4j2.rootLogger.level";

    /**
     * Sets Ketcd's and the libraries' log levels in this member's Pax Logging configuration, as bin/ketcd does at start
     * (the distribution's etc/ files are not written: Karaf's config save is off).
     */
    private void applyLogLevel(org.ketcd.server.config.LogLevel level) {
        org.osgi.service.cm.ConfigurationAdmin admin = configAdmin;
        if (admin == null) {
            LOG.warn("ketcd: the log level cannot change while the member runs: no Configuration Admin");
            return;
        }
        try {
            org.osgi.service.cm.Configuration logging = admin.getConfiguration(LOGGING_PID, null);
            Dictionary<String, Object> props = logging.getProperties();
            if (props == null) {
                LOG.warn("ketcd: the log level cannot change while the member runs: Pax Logging has no configuration");
                return;
            }
            props.put(KETCD_LEVEL_KEY, level.log4jLevel());
            props.put(FILEINSTALL_LEVEL_KEY, level.log4jLevel());
            props.put(LIBRARY_LEVEL_KEY, level.libraryLog4jLevel());
            logging.update(props);
        } catch (IOException e) {
            LOG.warn("ketcd: the log level did not change: {}", e.getMessage());
        }
    }

    /** The longest the readiness lines wait for an installed JSON gateway bundle to serve. */
    static final long GATEWAY_READY_WAIT_MS = 30_000;
    private static final String GATEWAY_BUNDLE = "org.ketcd.rest";

    private static void awaitGatewayIfInstalled(BundleContext context) {
        try {
            boolean installed = java.util.Arrays.stream(context.getBundles())
                    .anyMatch(b -> GATEWAY_BUNDLE.equals(b.getSymbolicName()) && b.getState() != org.osgi.framework.Bundle.UNINSTALLED);
            if (installed) {
                org.osgi.util.tracker.ServiceTracker<org.ketcd.api.Http1Upstream, org.ketcd.api.Http1Upstream> gateway =
                        new org.osgi.util.tracker.ServiceTracker<>(context, org.ketcd.api.Http1Upstream.class, null);
                gateway.open();
                try {
                    gateway.waitForService(GATEWAY_READY_WAIT_MS);
                } finally {
                    gateway.close();
                }
            }
        } catch (IllegalStateException stopped) {
            // this bundle is stopping: nothing to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long a member bootstrapping by v3 discovery waits for the client the gRPC bundle offers. */
    static final long V3_DISCOVERY_CLIENT_WAIT_MS = 30_000;

    /** The v3 discovery client (from ketcd-grpc) when --discovery-endpoints needs it, else null. */
    private static DiscoveryKeyspace.V3Client v3DiscoveryClient(BundleContext context, ServerConfig config)
            throws InterruptedException {
        if (!config.discoversCluster() || config.get("discovery-endpoints").isEmpty()) {
            return null;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(V3_DISCOVERY_CLIENT_WAIT_MS);
        while (System.nanoTime() < deadline) {
            ServiceReference<DiscoveryKeyspace.V3Client> ref = context.getServiceReference(DiscoveryKeyspace.V3Client.class);
            DiscoveryKeyspace.V3Client client = ref == null ? null : context.getService(ref);
            if (client != null) {
                return client;
            }
            Thread.sleep(100);
        }
        return null; // the server then says that v3 discovery needs the gRPC bundle
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters the services of a stopping bundle itself
            }
            registration = null;
        }
        closeMember();
    }

    /** The exit status of a member that stopped on a fatal error, as etcd's. */
    static final int FATAL_EXIT_STATUS = 1;
    private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The member cannot go on: under {@code bin/ketcd} the process ends at once with status 1, as etcd's;
     * inside a plain Karaf the member stops serving (its service goes away) and the container goes on.
     */
    private void fatal(String reason, Throwable cause) {
        LOG.error("ketcd: fatal: {}", reason, cause);
        if (BinKetcd.haltIfStartedByIt(FATAL_EXIT_STATUS, reason + (cause == null ? "" : ": " + cause))) {
            return;
        }
        if (failed.compareAndSet(false, true)) {
            Thread stop = new Thread(this::deactivate, "ketcd-fatal-stop");
            stop.setDaemon(true);
            stop.start();
        }
    }

    private void closeMember() {
        EtcdMember m = member;
        member = null;
        if (m == null) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RaftNode.class.getClassLoader());
        try {
            m.close();
        } catch (Exception e) {
            LOG.warn("closing member failed", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static String[] toStrings(List<URI> urls) {
        return urls.stream().map(URI::toString).toArray(String[]::new);
    }

    /** The component properties that can be etcd flags, as strings (ServerConfig ignores the rest). */
    static Map<String, String> cfgProperties(Map<String, Object> properties) {
        Map<String, String> cfg = new HashMap<>();
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            Object v = e.getValue();
            if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                cfg.put(e.getKey(), String.valueOf(v));
            } else if (v instanceof String[] array) {
                cfg.put(e.getKey(), String.join(",", array));
            }
        }
        return cfg;
    }

    /** The flags {@code bin/ketcd} was started with, or none. */
    static String[] commandLineArgs() throws IOException {
        Path file = BinKetcd.argsFile();
        if (file == null) {
            return new String[0];
        }
        String all = Files.readString(file, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length(); i++) {
            if (all.charAt(i) == '\0') {
                args.add(all.substring(start, i));
                start = i + 1;
            }
        }
        if (start < all.length()) {
            args.add(all.substring(start));
        }
        return args.toArray(new String[0]);
    }
}
