package org.ketcd.grpc.osgi;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.ketcd.api.BinKetcd;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.GrpcCallStats;
import org.ketcd.api.GrpcGatewayBackend;
import org.ketcd.api.Http1Upstream;
import org.ketcd.grpc.GrpcEndpoint;
import org.ketcd.grpc.HeldListeners;
import org.ketcd.grpc.Http1Upstreams;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the etcd v3 gRPC API for the member's {@link EtcdServer} service on the client URLs it was
 * registered with (service property {@value #PROP_LISTEN_CLIENT_URLS}). Static reference: a new
 * server service (member restart) or an update of this bundle restarts only this endpoint, whose listening sockets
 * stay open meanwhile ({@link GrpcEndpoint#handOver()}, kept by the system bundle: {@link SystemHeldListeners}): a
 * client connecting then waits instead of being refused.
 *
 * <p>Offers the same services as bytes ({@link GrpcGatewayBackend}) to the REST bundle, and relays HTTP/1
 * connections on the client port to the REST bundle's {@link Http1Upstream} when one is registered.
 * That reference is dynamic: installing, updating or removing the REST bundle never restarts gRPC.
 * Offers the endpoint's per-method call counts ({@link GrpcCallStats}) for {@code /metrics}.
 */
@Component(name = "org.ketcd.grpc", immediate = true, service = {})
public final class GrpcEndpointComponent {
    static final String PROP_LISTEN_CLIENT_URLS = "ketcd.listen.client.urls";
    /** etcd's --listen-metrics-urls, as a service property of the server (absent: none). */
    static final String PROP_LISTEN_METRICS_URLS = "ketcd.listen.metrics.urls";
    private static final Logger LOG = LoggerFactory.getLogger(GrpcEndpointComponent.class);

    private EtcdServer server;
    private List<URI> listenClientUrls = List.of();
    private List<URI> listenMetricsUrls = List.of();
    private GrpcEndpoint endpoint;
    private org.ketcd.api.ClientTls clientTls;
    private org.ketcd.api.ClientGrpcSettings grpcSettings;
    private ServiceRegistration<GrpcGatewayBackend> gatewayRegistration;
    private ServiceRegistration<GrpcCallStats> callStatsRegistration;
    private final AtomicReference<Http1Upstream> http1 = new AtomicReference<>();

    @Reference(policy = ReferencePolicy.STATIC)
    void bindServer(EtcdServer server, Map<String, Object> properties) {
        this.server = server;
        this.listenClientUrls = urls(properties.get(PROP_LISTEN_CLIENT_URLS));
        this.listenMetricsUrls = urls(properties.get(PROP_LISTEN_METRICS_URLS));
        this.clientTls = org.ketcd.api.ClientTls.fromProperties(properties);
        this.grpcSettings = org.ketcd.api.ClientGrpcSettings.fromProperties(properties);
    }

    void unbindServer(EtcdServer server) {
        this.server = null;
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    void bindHttp1(Http1Upstream upstream) {
        http1.set(upstream);
    }

    void unbindHttp1(Http1Upstream upstream) {
        http1.compareAndSet(upstream, null);
    }

    @Activate
    void activate(BundleContext context) throws Exception {
        if (listenClientUrls.isEmpty()) {
            throw new IllegalStateException("EtcdServer service has no " + PROP_LISTEN_CLIENT_URLS + " property");
        }
        // grpc-java is embedded in this bundle; anything it looks up through the context class
        // loader must come from here, and its threads inherit the loader set while they start.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(GrpcEndpointComponent.class.getClassLoader());
        try {
            endpoint = GrpcEndpoint.start(server, listenClientUrls, listenMetricsUrls,
                    Http1Upstreams.of(http1::get, () -> restBundleInstalled(context)), clientTls, grpcSettings,
                    HeldListeners.in(SystemHeldListeners.map(context)));
        } catch (java.io.IOException | RuntimeException e) {
            // A member that cannot serve its clients is no member: etcd exits (status 1) on this.
            LOG.error("ketcd: {}", e.getMessage());
            if (BinKetcd.exitIfStartedByIt(1)) {
                return; // thrown, it would be logged again by SCR, with its stack trace, while the process ends
            }
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
        gatewayRegistration = context.registerService(GrpcGatewayBackend.class, endpoint.gateway(), null);
        callStatsRegistration = context.registerService(GrpcCallStats.class, endpoint.callStats(), null);
        LOG.info("etcd gRPC API serving on {}", listenClientUrls);
        // etcd's lines once its client listeners serve; tools that watch etcd's log wait for them
        LOG.info("ready to serve client requests");
        for (URI url : listenClientUrls) {
            String hostPort = url.getHost() + ":" + url.getPort();
            if ("https".equals(url.getScheme())) {
                LOG.info("serving client requests on {}", hostPort);
            } else {
                LOG.info("serving insecure client requests on {}, this is strongly discouraged!", hostPort);
            }
        }
        for (URI url : listenMetricsUrls) {
            LOG.info("listening for metrics on {}", url); // etcd's line
        }
        SystemdNotify.ready();
    }

    @Deactivate
    void deactivate(BundleContext context) {
        unregister(callStatsRegistration);
        callStatsRegistration = null;
        unregister(gatewayRegistration);
        gatewayRegistration = null;
        GrpcEndpoint e = endpoint;
        endpoint = null;
        if (e != null) {
            try {
                if (frameworkStopping(context)) {
                    e.close(); // the process ends: refused connections send clients to other members at once
                } else {
                    // a new endpoint (this bundle updated, the member restarted) serves the connections made meanwhile
                    e.handOver();
                    LOG.info("gRPC endpoint stopped; its listening sockets stay open for the next one (at most {} s)",
                            HeldListeners.HOLD_SECONDS);
                }
            } catch (Exception ex) {
                LOG.warn("closing gRPC endpoint failed", ex);
            }
        }
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it while stopping the bundle
            }
        }
    }

    private static boolean frameworkStopping(BundleContext context) {
        try {
            return context.getBundle(org.osgi.framework.Constants.SYSTEM_BUNDLE_ID).getState() == org.osgi.framework.Bundle.STOPPING;
        } catch (IllegalStateException invalid) {
            return true;
        }
    }

    /** The REST bundle's symbolic name: its HTTP/1 API is awaited while it is installed but not serving. */
    private static final String REST_BUNDLE = "org.ketcd.rest";

    private static boolean restBundleInstalled(BundleContext context) {
        try {
            for (org.osgi.framework.Bundle b : context.getBundles()) {
                if (REST_BUNDLE.equals(b.getSymbolicName()) && b.getState() != org.osgi.framework.Bundle.UNINSTALLED) {
                    return true;
                }
            }
        } catch (IllegalStateException stopping) {
            // this bundle's context is no longer valid
        }
        return false;
    }

    static List<URI> urls(Object value) {
        List<URI> urls = new ArrayList<>();
        if (value instanceof String[] array) {
            for (String s : array) {
                urls.add(URI.create(s));
            }
        } else if (value instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    urls.add(URI.create(part.trim()));
                }
            }
        }
        return List.copyOf(urls);
    }
}
