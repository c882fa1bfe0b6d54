package org.ketcd.grpc.osgi;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.ketcd.api.BinKetcd;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.GrpcGatewayBackend;
import org.ketcd.api.Http1Upstream;
import org.ketcd.grpc.GrpcEndpoint;
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
 * server service (member restart) or an update of this bundle restarts only this endpoint.
 *
 * <p>Offers the same services as bytes ({@link GrpcGatewayBackend}) to the REST bundle, and relays HTTP/1
 * connections on the client port to the REST bundle's {@link Http1Upstream} when one is registered.
 * That reference is dynamic: installing, updating or removing the REST bundle never restarts gRPC.
 */
@Component(name = "org.ketcd.grpc", immediate = true, service = {})
public final class GrpcEndpointComponent {
    static final String PROP_LISTEN_CLIENT_URLS = "ketcd.listen.client.urls";
    private static final Logger LOG = LoggerFactory.getLogger(GrpcEndpointComponent.class);

    private EtcdServer server;
    private List<URI> listenClientUrls = List.of();
    private GrpcEndpoint endpoint;
    private org.ketcd.api.ClientTls clientTls;
    private org.ketcd.api.ClientGrpcSettings grpcSettings;
    private ServiceRegistration<GrpcGatewayBackend> gatewayRegistration;
    private final AtomicReference<Http1Upstream> http1 = new AtomicReference<>();

    @Reference(policy = ReferencePolicy.STATIC)
    void bindServer(EtcdServer server, Map<String, Object> properties) {
        this.server = server;
        this.listenClientUrls = urls(properties.get(PROP_LISTEN_CLIENT_URLS));
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
            endpoint = GrpcEndpoint.start(server, listenClientUrls, http1::get, clientTls, grpcSettings);
        } catch (java.io.IOException | RuntimeException e) {
            // A member that cannot serve its clients is no member: etcd exits (status 1) on this.
            LOG.error("ketcd: {}", e.getMessage());
            BinKetcd.exitIfStartedByIt(1);
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
        gatewayRegistration = context.registerService(GrpcGatewayBackend.class, endpoint.gateway(), null);
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
        SystemdNotify.ready();
    }

    @Deactivate
    void deactivate() {
        if (gatewayRegistration != null) {
            try {
                gatewayRegistration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it while stopping the bundle
            }
            gatewayRegistration = null;
        }
        GrpcEndpoint e = endpoint;
        endpoint = null;
        if (e != null) {
            try {
                e.close();
            } catch (Exception ex) {
                LOG.warn("closing gRPC endpoint failed", ex);
            }
        }
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
