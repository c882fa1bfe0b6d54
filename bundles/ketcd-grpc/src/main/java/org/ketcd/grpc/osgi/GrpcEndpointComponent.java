package org.ketcd.grpc.osgi;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ketcd.api.EtcdServer;
import org.ketcd.grpc.GrpcEndpoint;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the etcd v3 gRPC API for the member's {@link EtcdServer} service on the client URLs it was
 * registered with (service property {@value #PROP_LISTEN_CLIENT_URLS}). Static reference: a new
 * server service (member restart) or an update of this bundle restarts only this endpoint.
 */
@Component(name = "org.ketcd.grpc", immediate = true, service = {})
public final class GrpcEndpointComponent {
    static final String PROP_LISTEN_CLIENT_URLS = "ketcd.listen.client.urls";
    private static final Logger LOG = LoggerFactory.getLogger(GrpcEndpointComponent.class);

    private EtcdServer server;
    private List<URI> listenClientUrls = List.of();
    private GrpcEndpoint endpoint;

    @Reference(policy = ReferencePolicy.STATIC)
    void bindServer(EtcdServer server, Map<String, Object> properties) {
        this.server = server;
        this.listenClientUrls = urls(properties.get(PROP_LISTEN_CLIENT_URLS));
    }

    void unbindServer(EtcdServer server) {
        this.server = null;
    }

    @Activate
    void activate() throws Exception {
        if (listenClientUrls.isEmpty()) {
            throw new IllegalStateException("EtcdServer service has no " + PROP_LISTEN_CLIENT_URLS + " property");
        }
        // grpc-java is embedded in this bundle; anything it looks up through the context class
        // loader must come from here, and its threads inherit the loader set while they start.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(GrpcEndpointComponent.class.getClassLoader());
        try {
            endpoint = GrpcEndpoint.start(server, listenClientUrls);
        } finally {
            thread.setContextClassLoader(previous);
        }
        LOG.info("etcd gRPC API serving on {}", listenClientUrls);
    }

    @Deactivate
    void deactivate() {
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
