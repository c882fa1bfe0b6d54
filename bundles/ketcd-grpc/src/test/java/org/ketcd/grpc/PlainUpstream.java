package org.ketcd.grpc;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.ketcd.api.Http1Upstream;

/** A plain JDK HTTP server on loopback standing in for the REST bundle behind the client port. */
final class PlainUpstream implements AutoCloseable {
    private final HttpServer http;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    PlainUpstream(Map<String, HttpHandler> handlers) throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        handlers.forEach(http::createContext);
        http.setExecutor(threads);
        http.start();
    }

    /** The upstream as the client port sees it: a relay secret, an address, a body limit of 1 KiB. */
    Http1Upstream upstream() {
        return new Http1Upstream() {
            @Override
            public String relaySecret() {
                return "test";
            }

            @Override
            public InetSocketAddress address() {
                return http.getAddress();
            }

            @Override
            public int maxRequestBodyBytes() {
                return 1024;
            }

            @Override
            public void clientLeft(InetSocketAddress relayAddress) {
            }
        };
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
