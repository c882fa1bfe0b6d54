package org.ketcd.rest;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.jdkhttp.JdkHttpHandlerContainer;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.GrpcGatewayBackend;
import org.ketcd.api.Http1Upstream;
import org.ketcd.rest.config.ConfigResource;
import org.ketcd.rest.config.SseWatch;
import org.ketcd.rest.gateway.GatewayResource;
import org.ketcd.rest.gateway.HealthResource;
import org.ketcd.rest.gateway.OpenApiResource;
import org.ketcd.rest.services.ServicesResource;

/**
 * The member's HTTP/1 API (Jersey on the JDK's HTTP server) on an ephemeral loopback port: the client
 * port reads every non-gRPC request and forwards it here whole, so clients use the client URL as with etcd
 * and no worker ever waits for a client's bytes. Owns its threads ({@link RestLimits#HTTP_THREADS} at most,
 * {@link RestLimits#MAX_OPEN_STREAMS} of them for streams) and stops them in {@link #close()}.
 */
public final class RestServer implements Http1Upstream, AutoCloseable {
    /** How long close() lets exchanges finish. */
    static final int STOP_DELAY_SECONDS = 1;
    /** How long an idle worker thread is kept. */
    static final int IDLE_THREAD_SECONDS = 60;
    /** The JDK HTTP server's switch for TCP_NODELAY on the connections it accepts (off by default). */
    static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

    static {
        // The JDK's server writes a response's head and body apart; with Nagle's algorithm on, the body waits for the
        // relay's delayed ACK of the head, 40 ms or more on every call. The JDK reads the switch once, at its first use.
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
    }

    private final HttpServer http;
    private final JdkHttpHandlerContainer jersey;
    private final ThreadPoolExecutor threads;
    private final OpenStreams streams;
    private final RestLimits limits;
    private final RelayCheck relay;

    private RestServer(HttpServer http, JdkHttpHandlerContainer jersey, ThreadPoolExecutor threads, OpenStreams streams,
                       RestLimits limits, RelayCheck relay) {
        this.relay = relay;
        this.http = http;
        this.jersey = jersey;
        this.threads = threads;
        this.streams = streams;
        this.limits = limits;
    }

    public static RestServer start(EtcdServer server, GrpcGatewayBackend backend) {
        return start(server, backend, () -> null, () -> null);
    }

    /**
     * {@code grpcCalls}: the gRPC bundle's call counters for /metrics (null while it has none); {@code camelRoutes}: the
     * member's Camel routes for /metrics (null while Camel does not run).
     */
    public static RestServer start(EtcdServer server, GrpcGatewayBackend backend,
                                   java.util.function.Supplier<org.ketcd.api.GrpcCallStats> grpcCalls,
                                   java.util.function.Supplier<org.ketcd.api.DeployedRoutes> camelRoutes) {
        RestLimits limits = RestLimits.forMaxRequestBytes(server.maxRequestBytes());
        OpenStreams streams = new OpenStreams();
        ResourceConfig config = new ResourceConfig()
                .register(new GatewayResource(backend, limits, streams))
                .register(new HealthResource(server))
                .register(new ConfigResource(server, new SseWatch.Hub(streams), limits))
                .register(new ServicesResource(server, limits))
                .register(new OpenApiResource())
                .register(new org.ketcd.rest.metrics.MetricsResource(server, grpcCalls, camelRoutes))
                .register(CorsHeaders.class)
                .register(MediaTypeHeaders.class)
                .register(PlainErrors.class)
                .register(ConfigResource.ConditionFailed.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                // no response buffering: streams must reach the client as each line is flushed
                .property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0);
        ThreadPoolExecutor threads = new ThreadPoolExecutor(RestLimits.HTTP_THREADS, RestLimits.HTTP_THREADS,
                IDLE_THREAD_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(RestLimits.HTTP_QUEUE), r -> {
                    Thread t = new Thread(r, "ketcd-rest-http");
                    t.setDaemon(true);
                    return t;
                });
        threads.allowCoreThreadTimeOut(true);
        // Jersey finds its providers through the context class loader: this bundle's, where it is embedded
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RestServer.class.getClassLoader());
        try {
            JdkHttpHandlerContainer jersey = ContainerFactory.createContainer(JdkHttpHandlerContainer.class, config);
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            RelayCheck relay = new RelayCheck(streams.tracking(new DeclaredLength(new ClientConnection(jersey))));
            http.createContext("/", relay);
            http.setExecutor(threads);
            http.start();
            return new RestServer(http, jersey, threads, streams, limits, relay);
        } catch (IOException e) {
            threads.shutdownNow();
            throw new UncheckedIOException("cannot listen on loopback for the REST API: " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public InetSocketAddress address() {
        return http.getAddress();
    }

    @Override
    public String relaySecret() {
        return relay.secret();
    }

    @Override
    public int maxRequestBodyBytes() {
        return limits.bodyBytes();
    }

    @Override
    public void clientLeft(InetSocketAddress relayAddress) {
        streams.clientLeft(relayAddress);
    }

    /** Streams running now. */
    int runningStreams() {
        return streams.running();
    }

    /** Worker threads serving an exchange now. */
    int busyWorkers() {
        return threads.getActiveCount();
    }

    @Override
    public void close() {
        streams.close();
        http.stop(STOP_DELAY_SECONDS);
        jersey.getApplicationHandler().onShutdown(jersey);
        threads.shutdownNow();
    }
}
