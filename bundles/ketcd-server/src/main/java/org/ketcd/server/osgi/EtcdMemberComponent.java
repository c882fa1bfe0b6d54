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
import org.ketcd.server.config.ConfigException;
import org.ketcd.server.config.ServerConfig;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts this member's {@link EtcdMember} from ConfigAdmin PID {@code org.ketcd.server}
 * ({@code etc/org.ketcd.server.cfg}, keys are etcd flag names such as {@code listen-client-urls}),
 * the {@code ETCD_*} environment and the command-line flags of {@code bin/ketcd}, in etcd's
 * precedence order, and registers its {@link EtcdServer} as an OSGi service with the client URLs
 * as service properties. Stops the member when deactivated (bundle stop/update, config change).
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
        } catch (ConfigException e) {
            LOG.error("ketcd: {}", e.getMessage());
            BinKetcd.exitIfStartedByIt(e.exitStatus()); // a bad flag value bin/ketcd's own check could not see
            throw e;
        }
        // Ratis is embedded in ketcd-raft and loads its RPC and metrics implementations by class
        // name through the context class loader; its threads inherit the loader set here.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RaftNode.class.getClassLoader());
        try {
            member = EtcdMember.start(config, v3DiscoveryClient(context, config), this::fatal);
        } catch (Exception | Error e) {
            LOG.error("ketcd: {}", e.getMessage());
            exitIfStartedByBinKetcd();
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
        // on a thread of its own: the wait for the gateway may take a while, and must not hold a shared pool's thread
        Thread lines = new Thread(() -> {
            awaitGatewayIfInstalled(context);
            LOG.info("{}", started.publishedLine());
            LOG.info("enabled capabilities for version 3.4");
        }, "ketcd-readiness-lines");
        lines.setDaemon(true);
        started.published().thenRun(lines::start);
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

    /** As etcd on a fatal error: under {@code bin/ketcd} the process ends with status 1. */
    private static void exitIfStartedByBinKetcd() {
        BinKetcd.exitIfStartedByIt(1);
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
