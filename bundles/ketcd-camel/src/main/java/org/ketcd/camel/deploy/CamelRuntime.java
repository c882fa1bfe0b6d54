package org.ketcd.camel.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.util.URISupport;
import org.apache.camel.impl.DefaultCamelContext;
import org.ketcd.api.DeployedRoutes;
import org.ketcd.api.EtcdServer;
import org.ketcd.camel.Checkpoints;
import org.ketcd.camel.KetcdComponent;
import org.ketcd.camel.cluster.KetcdClusterService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's Camel: one CamelContext named {@code ketcd} with the {@code ketcd:} component and the Ketcd
 * cluster service, and the route files deployed into it. Everything Camel does at start, deploy, undeploy
 * and stop runs on one thread this object owns (Camel keeps per-thread state on threads that start routes,
 * VERSIONS.md pitfall 11b), with the context class loader set to the loader that sees Camel and the broker
 * components (this bundle and its fragments).
 */
public final class CamelRuntime implements DeployedRoutes, AutoCloseable {
    /** How long stopping may take: Camel's graceful shutdown of the routes plus the consumers' last checkpoints. */
    static final long STOP_TIMEOUT_S = 45;
    /** Delay (and retry interval) of master: before it starts the consumer of a route this member now leads. */
    static final long MASTER_START_DELAY_MS = 200;
    /**
     * Components of Ketcd's own that take the scheme of Camel's when their fragment is attached, so route files
     * stay as they are: paho-mqtt5 with a producer that does not wait for each acknowledgement on the route's
     * thread (ketcd-camel-mqtt), which lets a ketcd: consumer keep several publishes in flight.
     */
    static final Map<String, String> OWN_COMPONENTS = Map.of("paho-mqtt5", "org.ketcd.camel.mqtt.PipelinedPahoMqtt5Component");
    private static final Logger LOG = LoggerFactory.getLogger(CamelRuntime.class);

    private final ExecutorService thread;
    private final ClassLoader loader;
    private final RouteCounts counts = new RouteCounts();
    /** Each deployed route's file, copied after every deploy and undeploy: read without waiting for Camel's thread. */
    private volatile Map<String, Path> fileOfRoute = Map.of();
    private EtcdServer server;
    private CamelContext context;
    private RouteFiles files;

    private CamelRuntime(ClassLoader loader) {
        this.loader = loader;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ketcd-camel");
            t.setContextClassLoader(loader);
            return t;
        });
    }

    /** Starts Camel for {@code server}; {@code memberName} names this member in cluster views. */
    public static CamelRuntime start(EtcdServer server, String memberName, long clusterTtlSeconds) throws Exception {
        return start(server, server, memberName, clusterTtlSeconds);
    }

    /**
     * As above, with the cluster service (the master: routes' leader election) acting as {@code clusterServer}'s
     * caller, and ketcd: endpoints without a user of their own as {@code server}'s.
     */
    public static CamelRuntime start(EtcdServer server, EtcdServer clusterServer, String memberName, long clusterTtlSeconds)
            throws Exception {
        CamelRuntime runtime = new CamelRuntime(CamelRuntime.class.getClassLoader());
        runtime.call(() -> {
            DefaultCamelContext c = new DefaultCamelContext();
            c.getCamelContextExtension().setName("ketcd");
            c.setApplicationContextClassLoader(runtime.loader);
            c.addComponent("ketcd", new KetcdComponent(server));
            c.addService(new KetcdClusterService(clusterServer, memberName, clusterTtlSeconds));
            // master: starts a route's consumer this long after this member took leadership (Camel's default 5 s)
            org.apache.camel.component.master.MasterComponent master = new org.apache.camel.component.master.MasterComponent();
            master.setBackOffDelay(MASTER_START_DELAY_MS);
            c.addComponent("master", master);
            addOwnComponents(c, runtime.loader);
            c.getShutdownStrategy().setTimeout(STOP_TIMEOUT_S - 15);
            c.getManagementStrategy().addEventNotifier(runtime.counts);
            c.start();
            runtime.context = c;
            runtime.server = server;
            runtime.files = new RouteFiles(c);
            return null;
        });
        LOG.info("ketcd-camel: Camel {} started (member {}, cluster lease TTL {} s)",
                runtime.context.getVersion(), memberName, clusterTtlSeconds);
        return runtime;
    }

    private static void addOwnComponents(CamelContext c, ClassLoader loader) throws ReflectiveOperationException {
        for (Map.Entry<String, String> own : OWN_COMPONENTS.entrySet()) {
            Class<?> type;
            try {
                type = loader.loadClass(own.getValue());
            } catch (ClassNotFoundException fragmentNotAttached) {
                continue;
            }
            c.addComponent(own.getKey(), (org.apache.camel.Component) type.getDeclaredConstructor().newInstance());
            LOG.info("ketcd-camel: {}: is {}", own.getKey(), type.getSimpleName());
        }
    }

    public CamelContext context() {
        return context;
    }

    /** Deploys (or redeploys) a route file; false if it did not load (the reason is logged). */
    public boolean deploy(Path file) throws Exception {
        return call(() -> {
            boolean deployed = files.deploy(file);
            noteFiles();
            return deployed;
        });
    }

    public void undeploy(Path file) throws Exception {
        call(() -> {
            files.undeploy(file);
            noteFiles();
            return null;
        });
    }

    /** On Camel's thread, after a deploy or undeploy. */
    private void noteFiles() {
        Map<String, Path> fileOf = new HashMap<>();
        files.deployed().forEach((file, ids) -> ids.forEach(id -> fileOf.put(id, file)));
        fileOfRoute = Map.copyOf(fileOf);
    }

    public Map<Path, Set<String>> deployed() throws Exception {
        return call(() -> files.deployed());
    }

    /**
     * The routes in this Camel, with their exchange counts here and their checkpoints in the cluster (this member's
     * copy of them).
     */
    @Override
    public List<DeployedRoutes.DeployedRoute> routes() {
        Map<String, Long> checkpoints;
        Map<String, Path> fileOf = fileOfRoute;
        try {
            checkpoints = Checkpoints.all(server);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the routes could not be listed: " + e.getMessage(), e);
        }
        List<DeployedRoutes.DeployedRoute> routes = new ArrayList<>();
        for (Route r : context.getRoutes()) {
            RouteCounts.Counts c = counts.of(r.getRouteId());
            Path file = fileOf.get(r.getRouteId());
            ServiceStatus status = context.getRouteController().getRouteStatus(r.getRouteId());
            routes.add(new DeployedRoutes.DeployedRoute(r.getRouteId(), file == null ? "" : file.getFileName().toString(),
                    URISupport.sanitizeUri(r.getEndpoint().getEndpointUri()), status == null ? "Unknown" : status.name(),
                    c.completed.sum(), c.failed.sum(), context.getInflightRepository().size(r.getRouteId()), c.lastError,
                    checkpoints.getOrDefault(Checkpoints.idOf(r), -1L)));
        }
        routes.sort(java.util.Comparator.comparing(DeployedRoutes.DeployedRoute::id));
        return routes;
    }

    @Override
    public void close() throws Exception {
        try {
            call(() -> {
                if (context != null) {
                    context.stop();
                }
                return null;
            });
        } finally {
            thread.shutdown();
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private <T> T call(java.util.concurrent.Callable<T> work) throws Exception {
        Future<T> f = thread.submit(work);
        try {
            return f.get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
