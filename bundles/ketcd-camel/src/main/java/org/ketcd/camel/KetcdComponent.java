package org.ketcd.camel;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.ketcd.api.EtcdServer;

/**
 * The {@code ketcd:} component: {@code ketcd:/config/payments/?prefix=true}. It talks to the member it
 * runs in through {@link EtcdServer} (no network hop, no client library), so its writes take the one
 * write path every adapter takes and its watches are the member's own watchers.
 */
public class KetcdComponent extends DefaultComponent {
    private final EtcdServer server;

    public KetcdComponent(EtcdServer server) {
        this.server = server;
    }

    EtcdServer server() {
        return server;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isEmpty()) {
            throw new IllegalArgumentException("ketcd: endpoint needs a key or prefix, e.g. ketcd:/config/payments/?prefix=true");
        }
        KetcdEndpoint endpoint = new KetcdEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }
}
