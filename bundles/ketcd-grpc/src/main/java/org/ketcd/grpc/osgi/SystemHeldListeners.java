package org.ketcd.grpc.osgi;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The map of listening sockets held between two gRPC endpoints ({@link org.ketcd.grpc.HeldListeners}), registered
 * as a service of the system bundle: it outlives an update or refresh of any Ketcd bundle (ketcd-api's too), and goes
 * with the framework. Its type is the JDK's, the same class in every bundle revision.
 */
final class SystemHeldListeners {
    /** The service property that marks the map among other {@link ConcurrentMap} services. */
    static final String PROPERTY = "ketcd.held.listeners";
    private static final String FILTER = "(" + PROPERTY + "=true)";

    private SystemHeldListeners() {
    }

    @SuppressWarnings("unchecked")
    static synchronized ConcurrentMap<InetSocketAddress, Map.Entry<ServerSocketChannel, Long>> map(BundleContext context) {
        BundleContext system = context.getBundle(Constants.SYSTEM_BUNDLE_ID).getBundleContext();
        try {
            ServiceReference<?>[] found = system.getServiceReferences(ConcurrentMap.class.getName(), FILTER);
            if (found != null && found.length > 0) {
                Object map = system.getService(found[0]);
                if (map instanceof ConcurrentMap<?, ?> held) {
                    return (ConcurrentMap<InetSocketAddress, Map.Entry<ServerSocketChannel, Long>>) held;
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        ConcurrentMap<InetSocketAddress, Map.Entry<ServerSocketChannel, Long>> held = new ConcurrentHashMap<>();
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(PROPERTY, "true");
        system.registerService(ConcurrentMap.class.getName(), held, properties);
        return held;
    }
}
