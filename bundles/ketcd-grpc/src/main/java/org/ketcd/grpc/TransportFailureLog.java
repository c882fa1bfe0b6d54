package org.ketcd.grpc;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * grpc logs every HTTP/2 connection that ends in a protocol error ("Transport failed") at INFO with its whole
 * stack trace, about 30 lines for one connection that sends garbage after the preface: a client could make the
 * log grow 30 lines per connection. This filter on that logger keeps one line, the cause's own message, as
 * etcd does ("grpc: Server.Serve failed to create ServerTransport: connection error: desc = ...").
 * Installed while at least one endpoint runs, removed with the last (the logger outlives this bundle).
 */
final class TransportFailureLog implements Filter {
    /** grpc's NettyServerTransport.connectionLog (its class is not public; the package follows grpc's shading). */
    static final String LOGGER = NettyServerBuilder.class.getPackageName() + ".NettyServerTransport.connections";

    private static final Logger LOG = Logger.getLogger(LOGGER); // held: JUL keeps loggers only weakly, with their filter
    private static final TransportFailureLog INSTANCE = new TransportFailureLog();
    private static int endpoints;

    private TransportFailureLog() {
    }

    static synchronized void install() {
        if (endpoints++ == 0) {
            LOG.setFilter(INSTANCE);
        }
    }

    static synchronized void uninstall() {
        if (--endpoints == 0 && LOG.getFilter() == INSTANCE) {
            LOG.setFilter(null);
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        Throwable cause = record.getThrown();
        if (cause != null) {
            record.setThrown(null);
            record.setMessage("gRPC connection closed: " + describe(cause));
            record.setParameters(null);
        }
        return true;
    }

    /** The innermost cause's message on one line (Netty's messages name the frame; no class names). */
    static String describe(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? "connection error" : t.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
