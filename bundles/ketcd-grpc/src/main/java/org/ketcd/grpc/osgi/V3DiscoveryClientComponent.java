package org.ketcd.grpc.osgi;

import java.io.IOException;
import java.util.List;
import org.ketcd.api.DiscoveryKeyspace;
import org.ketcd.grpc.V3DiscoveryClient;
import org.osgi.service.component.annotations.Component;

/**
 * Offers the v3 discovery client ({@code --discovery-endpoints}) to the server bundle. It needs
 * nothing, so it is registered as soon as this bundle starts, which the feature orders before the
 * server bundle (a member that discovers its cluster waits for it while it starts).
 */
@Component(service = DiscoveryKeyspace.V3Client.class, immediate = true)
public final class V3DiscoveryClientComponent implements DiscoveryKeyspace.V3Client {
    private final V3DiscoveryClient client = new V3DiscoveryClient();

    @Override
    public DiscoveryKeyspace open(List<String> endpoints, String token, long dialTimeoutMs, long requestTimeoutMs)
            throws IOException {
        // grpc-java is embedded in this bundle; what it looks up through the context class loader is here
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(V3DiscoveryClientComponent.class.getClassLoader());
        try {
            return client.open(endpoints, token, dialTimeoutMs, requestTimeoutMs);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
