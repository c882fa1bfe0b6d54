package org.ketcd.grpc;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.ketcd.api.ClientGrpcSettings;
import org.ketcd.api.ClientTls;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.ListenFailure;
import org.ketcd.api.GrpcCallStats;
import org.ketcd.api.GrpcGatewayBackend;
import org.ketcd.api.Http1Upstream;

/**
 * The etcd v3 gRPC API on the client URLs. Messages up to {@code --max-request-bytes} plus etcd's
 * 512 KiB gRPC overhead are accepted by the transport; the server refuses commands over the limit
 * with "etcdserver: request is too large", as etcd does.
 *
 * <p>Each client port also serves HTTP/1 (etcd's JSON gateway, the REST API): a connection that does not
 * open with the HTTP/2 preface is relayed to the {@code http1Upstream} server ({@link ClientPortNegotiator}).
 * The same services are reachable in-process as bytes ({@link #gateway()}) for that gateway. The calls of both are
 * counted per method ({@link #callStats()}).
 *
 * <p>The endpoint owns its network and handler threads (grpc's shared default pools would outlive
 * the bundle) and stops all of them in {@link #close()}, so the gRPC bundle can be updated live. Its listening sockets
 * can outlive it ({@link #handOver()}): while the next endpoint starts, connections wait instead of being refused.
 */
public final class GrpcEndpoint implements AutoCloseable {
    /** etcd's grpcOverheadBytes: transport headroom above --max-request-bytes. */
    static final int GRPC_OVERHEAD_BYTES = 512 * 1024;
    /**
     * grpc's default, said here: a connection must finish its HTTP/2 handshake within it, or grpc closes it.
     * An HTTP/1 connection never does; {@link Http1Connection} ignores that close and keeps its own timeouts.
     */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 120_000;
    /** How long close() lets in-flight calls finish before cutting them. */
    static final int SHUTDOWN_GRACE_SECONDS = 5;
    /** Threads running request handlers; handlers never block on I/O, so a few per core suffice. */
    static final int HANDLER_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    /** Netty I/O threads for all client connections. */
    static final int IO_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private final List<Server> servers;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService handlers;
    private final List<WatchService> watchServices = new ArrayList<>();
    private final List<HeldListenerChannel> listeners = new CopyOnWriteArrayList<>();
    private InProcessGateway gateway;
    private GrpcCallCounter calls;
    private final AtomicBoolean closed = new AtomicBoolean();

    private GrpcEndpoint(List<Server> servers, EventLoopGroup boss, EventLoopGroup workers, ExecutorService handlers) {
        this.servers = servers;
        this.boss = boss;
        this.workers = workers;
        this.handlers = handlers;
    }

    public static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls) throws IOException {
        return start(server, listenClientUrls, () -> null);
    }

    /** Serves gRPC on the client URLs and relays HTTP/1 connections there to {@code http1Upstream} (null: none). */
    public static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, Supplier<Http1Upstream> http1Upstream)
            throws IOException {
        return start(server, listenClientUrls, http1Upstream, HANDSHAKE_TIMEOUT_MILLIS, EMPTY_TLS, ClientGrpcSettings.ETCD_DEFAULTS);
    }

    /**
     * As above; https client URLs are served with {@code tls} (etcd's --cert-file, --key-file, ...), every URL with
     * etcd's keepalive and stream limits {@code grpc}.
     */
    public static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, Supplier<Http1Upstream> http1Upstream,
                                     ClientTls tls, ClientGrpcSettings grpc) throws IOException {
        return start(server, listenClientUrls, Http1Upstreams.of(http1Upstream), tls, grpc);
    }

    /** As above, with a REST bundle that HTTP/1 requests wait for while it is expected ({@link Http1Upstreams}). */
    public static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, Http1Upstreams http1Upstreams,
                                     ClientTls tls, ClientGrpcSettings grpc) throws IOException {
        return start(server, listenClientUrls, List.of(), http1Upstreams, tls, grpc);
    }

    /**
     * As above, and etcd's {@code --listen-metrics-urls}: more listeners (https ones with {@code tls}) that relay only
     * /metrics, /health, /readyz and /livez to the REST bundle, and serve no gRPC ({@link Http1Paths#METRICS}).
     */
    public static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, List<URI> listenMetricsUrls,
                                     Http1Upstreams http1Upstreams, ClientTls tls, ClientGrpcSettings grpc) throws IOException {
        return start(server, listenClientUrls, listenMetricsUrls, http1Upstreams, tls, grpc, HeldListeners.inThisJvm());
    }

    /** As above, listening on the sockets {@code held} keeps for these URLs, if any, and handing them over there. */
    public static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, List<URI> listenMetricsUrls,
                                     Http1Upstreams http1Upstreams, ClientTls tls, ClientGrpcSettings grpc,
                                     HeldListeners held) throws IOException {
        return start(server, listenClientUrls, listenMetricsUrls, http1Upstreams, HANDSHAKE_TIMEOUT_MILLIS, tls, grpc, held);
    }

    private static final ClientTls EMPTY_TLS = new ClientTls("", "", "", false, List.of(), "", "");

    static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, Supplier<Http1Upstream> http1Upstream,
                              long handshakeTimeoutMillis) throws IOException {
        return start(server, listenClientUrls, http1Upstream, handshakeTimeoutMillis, EMPTY_TLS, ClientGrpcSettings.ETCD_DEFAULTS);
    }

    static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, Supplier<Http1Upstream> http1Upstream,
                              long handshakeTimeoutMillis, ClientTls tls, ClientGrpcSettings grpc) throws IOException {
        return start(server, listenClientUrls, Http1Upstreams.of(http1Upstream), handshakeTimeoutMillis, tls, grpc);
    }

    static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, Http1Upstreams http1Upstream,
                              long handshakeTimeoutMillis, ClientTls tls, ClientGrpcSettings grpc) throws IOException {
        return start(server, listenClientUrls, List.of(), http1Upstream, handshakeTimeoutMillis, tls, grpc,
                HeldListeners.inThisJvm());
    }

    static GrpcEndpoint start(EtcdServer server, List<URI> listenClientUrls, List<URI> listenMetricsUrls,
                              Http1Upstreams http1Upstream, long handshakeTimeoutMillis, ClientTls tls,
                              ClientGrpcSettings grpc, HeldListeners held) throws IOException {
        EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("ketcd-grpc-accept", true));
        EventLoopGroup workers = new NioEventLoopGroup(IO_THREADS, new DefaultThreadFactory("ketcd-grpc-io", true));
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS, new DefaultThreadFactory("ketcd-grpc-handler", true));
        List<Server> started = new ArrayList<>();
        TransportFailureLog.install();
        GrpcEndpoint endpoint = new GrpcEndpoint(started, boss, workers, handlers);
        int maxInbound = server.maxRequestBytes() + GRPC_OVERHEAD_BYTES;
        Semaphore largeBodies = new Semaphore(Http1Limits.LARGE_BODIES);
        try {
            List<ServerServiceDefinition> gatewayServices = endpoint.services(server);
            endpoint.calls = new GrpcCallCounter(gatewayServices, grpc.handlingTimeHistograms());
            ClientTlsContext tlsContext = null;
            for (URI url : urls(listenClientUrls, listenMetricsUrls)) {
                boolean https = "https".equals(url.getScheme());
                if (https && tlsContext == null) {
                    tlsContext = ClientTlsContext.of(tls);
                }
                Http1Paths paths = listenClientUrls.contains(url) ? Http1Paths.ALL : Http1Paths.METRICS;
                InetSocketAddress address = new InetSocketAddress(url.getHost(), url.getPort());
                NettyServerBuilder builder = NettyServerBuilder.forAddress(address,
                                InternalNettyServerCredentials.create(new ClientPortNegotiator(http1Upstream, largeBodies,
                                        https ? tlsContext : null, endpoint.closed::get, paths)))
                        .bossEventLoopGroup(boss)
                        .workerEventLoopGroup(workers)
                        .channelFactory(() -> endpoint.listener(address, held))
                        .executor(handlers)
                        .maxInboundMessageSize(maxInbound)
                        .handshakeTimeout(handshakeTimeoutMillis, TimeUnit.MILLISECONDS)
                        // etcd's keepalive enforcement (no pings without calls) and server pings; 0 turns a ping off
                        .permitKeepAliveTime(grpc.keepaliveMinTimeMs(), TimeUnit.MILLISECONDS)
                        .keepAliveTime(grpc.keepaliveIntervalMs() == 0 ? Long.MAX_VALUE : grpc.keepaliveIntervalMs(),
                                TimeUnit.MILLISECONDS)
                        .keepAliveTimeout(grpc.keepaliveTimeoutMs() == 0 ? Long.MAX_VALUE : grpc.keepaliveTimeoutMs(),
                                TimeUnit.MILLISECONDS)
                        .maxConcurrentCallsPerConnection((int) Math.min(Integer.MAX_VALUE, grpc.maxConcurrentStreams()))
                        .intercept(new CallerToken(https && tls.clientCertAuth()))
                        .addStreamTracerFactory(endpoint.calls.networkTracers());
                if (paths.grpc()) {
                    endpoint.services(server).forEach(builder::addService);
                }
                try {
                    started.add(builder.build().start());
                } catch (IOException e) {
                    if (ListenFailure.isBindFailure(e)) {
                        throw new IOException(ListenFailure.message(url.getHost(), url.getPort(), e), e);
                    }
                    throw e;
                }
            }
            endpoint.gateway = InProcessGateway.start(gatewayServices, handlers, maxInbound,
                    grpc.maxConcurrentStreams(), endpoint.calls);
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            if (e.getMessage() != null && e.getMessage().startsWith("listen tcp ")) {
                throw e; // etcd's words already
            }
            throw new IOException("cannot listen on " + urls(listenClientUrls, listenMetricsUrls) + ": " + e.getMessage(), e);
        }
        return endpoint;
    }

    private static List<URI> urls(List<URI> client, List<URI> metrics) {
        List<URI> all = new ArrayList<>(client);
        all.addAll(metrics);
        return all;
    }

    private HeldListenerChannel listener(InetSocketAddress address, HeldListeners held) {
        HeldListenerChannel channel = HeldListenerChannel.open(address, held);
        listeners.add(channel);
        return channel;
    }

    /** One set of the etcd services (each server gets its own: a watch service tracks its streams). */
    private List<ServerServiceDefinition> services(EtcdServer server) {
        WatchService watch = new WatchService(server, handlers);
        watchServices.add(watch);
        KvService kv = new KvService(server);
        return List.of(TxnMethod.replaceIn(kv.bindService(), kv, server.maxTxnOps()),
                new MaintenanceService(server).bindService(),
                new ClusterService(server).bindService(),
                LeaseLeasesMethod.addTo(new LeaseService(server).bindService(), server),
                new LockService(server).bindService(),
                new AuthService(server).bindService(),
                new ElectionService(server).bindService(),
                watch.bindService());
    }

    /** The same services as bytes, for the JSON gateway. */
    public GrpcGatewayBackend gateway() {
        return gateway;
    }

    /** The calls served on the client URLs and through the gateway, counted per method (etcd's grpc_server_* metrics). */
    public GrpcCallStats callStats() {
        return calls;
    }

    /** The bound ports, in the order of the listen URLs (useful when a URL asked for port 0). */
    public List<Integer> ports() {
        return servers.stream().map(Server::getPort).toList();
    }

    /**
     * Stops as {@link #close()} does, but leaves the listening sockets (of fixed ports) open for the next endpoint on
     * the same addresses ({@link HeldListeners}): connections made meanwhile wait to be served.
     */
    public void handOver() {
        listeners.forEach(HeldListenerChannel::handOver);
        close();
        listeners.forEach(HeldListenerChannel::holdSocket);
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        servers.forEach(Server::shutdown);
        watchServices.forEach(WatchService::stopStreams);
        try {
            if (gateway != null) {
                gateway.close();
            }
            for (Server s : servers) {
                if (!s.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                    s.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
                }
            }
            handlers.shutdown();
            handlers.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS).await(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS).await(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            servers.forEach(Server::shutdownNow);
            handlers.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            TransportFailureLog.uninstall();
        }
    }
}
