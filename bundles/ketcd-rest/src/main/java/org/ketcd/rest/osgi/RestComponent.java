package org.ketcd.rest.osgi;

import org.ketcd.api.EtcdServer;
import org.ketcd.api.GrpcGatewayBackend;
import org.ketcd.api.Http1Upstream;
import org.ketcd.rest.RestServer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the REST API for the member's {@link EtcdServer} and the gRPC bundle's {@link GrpcGatewayBackend},
 * and offers it to the client port as the {@link Http1Upstream}. Updating this bundle restarts only this
 * server; the gRPC endpoint keeps running, and HTTP/1 requests wait for the new server meanwhile.
 */
@Component(name = "org.ketcd.rest", immediate = true, service = {})
public final class RestComponent {
    private static final Logger LOG = LoggerFactory.getLogger(RestComponent.class);

    @Reference
    private EtcdServer server;
    @Reference
    private GrpcGatewayBackend backend;

    /** The gRPC bundle's call counters for /metrics: optional and dynamic, the REST server never restarts for them. */
    private final java.util.concurrent.atomic.AtomicReference<org.ketcd.api.GrpcCallStats> grpcCalls =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Reference(policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC,
            cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL)
    void bindGrpcCalls(org.ketcd.api.GrpcCallStats calls) {
        grpcCalls.set(calls);
    }

    void unbindGrpcCalls(org.ketcd.api.GrpcCallStats calls) {
        grpcCalls.compareAndSet(calls, null);
    }

    /** The member's Camel routes for /metrics: optional and dynamic, as the gRPC call counters. */
    private final java.util.concurrent.atomic.AtomicReference<org.ketcd.api.DeployedRoutes> camelRoutes =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Reference(policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC,
            cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL)
    void bindCamelRoutes(org.ketcd.api.DeployedRoutes routes) {
        camelRoutes.set(routes);
    }

    void unbindCamelRoutes(org.ketcd.api.DeployedRoutes routes) {
        camelRoutes.compareAndSet(routes, null);
    }

    private RestServer rest;
    private ServiceRegistration<Http1Upstream> registration;

    @Activate
    void activate(BundleContext context) {
        rest = RestServer.start(server, backend, grpcCalls::get, camelRoutes::get);
        registration = context.registerService(Http1Upstream.class, rest, null);
        LOG.info("REST API (etcd JSON gateway, /config, /services) serving on the client URLs via {}", rest.address());
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the framework while the bundle stops
            }
            registration = null;
        }
        if (rest != null) {
            rest.close();
            rest = null;
        }
    }
}
