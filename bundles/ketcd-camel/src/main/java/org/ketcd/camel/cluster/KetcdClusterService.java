package org.ketcd.camel.cluster;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.ketcd.api.EtcdServer;

/**
 * Camel's cluster service on Ketcd's own election: each namespace is an etcd election
 * ({@code __ketcd/camel/cluster/<namespace>}) that every member running the route campaigns in with a
 * lease of {@code ttlSeconds}. The campaigner whose key is oldest leads; when its member dies, its lease
 * expires and the next one leads, so a route under Camel's {@code master:} component (or a clustered route
 * policy) runs on exactly one member and moves within the TTL. A leader that cannot renew its lease for
 * the TTL (cut off from the majority) gives up leadership itself before another member can take it.
 */
public class KetcdClusterService extends AbstractCamelClusterService<KetcdClusterView> {
    /** Default lease TTL: how long a dead member's routes wait before another member takes them over. */
    public static final long DEFAULT_TTL_SECONDS = 10;

    private final EtcdServer server;
    private final String localId;
    private final long ttlSeconds;
    private ScheduledExecutorService scheduler;

    /** {@code localId}: this member's name in the cluster view (the campaign value others see as leader). */
    public KetcdClusterService(EtcdServer server, String localId, long ttlSeconds) {
        super("ketcd");
        this.server = server;
        this.localId = localId;
        this.ttlSeconds = ttlSeconds;
    }

    @Override
    protected void doStart() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ketcd-camel-cluster");
            t.setDaemon(true);
            return t;
        });
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        scheduler.shutdown();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    protected KetcdClusterView createView(String namespace) {
        return new KetcdClusterView(this, namespace);
    }

    EtcdServer server() {
        return server;
    }

    String localId() {
        return localId;
    }

    long ttlSeconds() {
        return ttlSeconds;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }
}
