package org.ketcd.rest;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.GrpcGatewayBackend;
import org.ketcd.rest.config.ConfigResource;
import org.ketcd.rest.config.SseWatch;
import org.ketcd.rest.gateway.GatewayResource;
import org.ketcd.rest.gateway.HealthResource;
import org.ketcd.rest.gateway.OpenApiResource;
import org.ketcd.rest.services.ServicesResource;

/**
 * The member's HTTP/1 API (Jersey on the JDK's HTTP server) on an ephemeral loopback port: the client
 * port relays every non-gRPC connection here, so clients use the client URL as with etcd.
 * Owns its threads ({@link RestLimits#HTTP_THREADS} at most) and stops them in {@link #close()}.
 */
public final class RestServer implements AutoCloseable {
    /** How long close() lets exchanges finish. */
    static final int STOP_DELAY_SECONDS = 1;

    private final HttpServer http;
    private final ThreadPoolExecutor threads;
    private final SseWatch.Hub watches;

    private RestServer(HttpServer http, ThreadPoolExecutor threads, SseWatch.Hub watches) {
        this.http = http;
        this.threads = threads;
        this.watches = watches;
    }

    public static RestServer start(EtcdServer server, GrpcGatewayBackend backend) {
        RestLimits limits = RestLimits.forMaxRequestBytes(server.maxRequestBytes());
        SseWatch.Hub watches = new SseWatch.Hub(server);
        ResourceConfig config = new ResourceConfig()
                .register(new GatewayResource(backend, limits))
                .register(new HealthResource(server))
                .register(new ConfigResource(server, watches, limits))
                .register(new ServicesResource(server, limits))
                .register(new OpenApiResource())
                .register(CorsHeaders.class)
                .register(MediaTypeHeaders.class)
                .register(PlainErrors.class)
                .register(ConfigResource.ConditionFailed.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                // no response buffering: streams must reach the client as each line is flushed
                .property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0);
        ThreadPoolExecutor threads = new ThreadPoolExecutor(0, RestLimits.HTTP_THREADS, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "ketcd-rest-http");
                    t.setDaemon(true);
                    return t;
                });
        // Jersey finds its providers through the context class loader: this bundle's, where it is embedded
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RestServer.class.getClassLoader());
        try {
            HttpServer http = JdkHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"), config, false);
            http.setExecutor(threads);
            http.start();
            return new RestServer(http, threads, watches);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    @Override
    public void close() {
        watches.close();
        http.stop(STOP_DELAY_SECONDS);
        threads.shutdownNow();
    }
}
