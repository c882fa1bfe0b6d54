package org.ketcd.camel.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.ketcd.api.Bytes;
import org.ketcd.api.CampaignResponse;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.KeyValue;
import org.ketcd.api.LeaderKey;
import org.ketcd.api.LeaderResponse;
import org.ketcd.api.RangeRequest;
import org.ketcd.camel.KetcdConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace of {@link KetcdClusterService}: campaigns on a lease, renews the lease every third of its
 * TTL, observes who leads, and tells Camel's listeners. All state changes run on the service's one
 * scheduler thread (never on the member's apply thread, which calls the observer).
 */
final class KetcdClusterView extends AbstractCamelClusterView {
    static final String PREFIX = KetcdConstants.RESERVED_PREFIX + "camel/cluster/";
    /** Pause before campaigning again after a failure (no majority, member stopping). */
    static final long RETRY_MS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(KetcdClusterView.class);

    private final KetcdClusterService service;
    private final EtcdServer server;
    private final byte[] election;
    private final long ttlMs;
    private final Member local;
    private volatile boolean running;
    private volatile LeaderKey held;
    private volatile String leaderId;
    private long lease;
    private long leaseDeadlineNanos;
    private CompletableFuture<CampaignResponse> campaign;
    private ScheduledFuture<?> renewal;
    private AutoCloseable observer;

    KetcdClusterView(KetcdClusterService service, String namespace) {
        super(service, namespace);
        this.service = service;
        this.server = service.server();
        this.election = (PREFIX + namespace).getBytes(StandardCharsets.UTF_8);
        this.ttlMs = TimeUnit.SECONDS.toMillis(service.ttlSeconds());
        this.local = new Member(service.localId(), true);
    }

    @Override
    protected void doStart() {
        running = true;
        service.scheduler().execute(this::campaign);
        service.scheduler().execute(this::observe);
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        service.scheduler().submit(this::giveUp).get(10, TimeUnit.SECONDS);
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        if (held != null) {
            return Optional.of(local);
        }
        String id = leaderId;
        return id == null ? Optional.empty() : Optional.of(new Member(id, false));
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    /** Every member campaigning in this namespace now (a read of the election's keys). */
    @Override
    public List<CamelClusterMember> getMembers() {
        List<CamelClusterMember> members = new ArrayList<>();
        try {
            byte[] prefix = (new String(election, StandardCharsets.UTF_8) + "/").getBytes(StandardCharsets.UTF_8);
            for (KeyValue kv : server.range(RangeRequest.of(prefix, Bytes.prefixEnd(prefix))).get(10, TimeUnit.SECONDS).kvs()) {
                String id = new String(kv.value(), StandardCharsets.UTF_8);
                members.add(id.equals(local.getId()) ? local : new Member(id, false));
            }
        } catch (Exception e) {
            LOG.warn("cluster view {}: members not readable: {}", getNamespace(), e.toString());
        }
        return members;
    }

    /** Grants a lease and campaigns with it; the campaign completes when this member leads. */
    private void campaign() {
        if (!running) {
            return;
        }
        try {
            lease = server.leaseGrant(service.ttlSeconds(), 0).get(10, TimeUnit.SECONDS).id();
            leaseDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlMs);
            renewal = service.scheduler().scheduleWithFixedDelay(this::renew, ttlMs / 3, ttlMs / 3, TimeUnit.MILLISECONDS);
            long campaignLease = lease;
            campaign = server.campaign(election, lease, local.getId().getBytes(StandardCharsets.UTF_8));
            campaign.whenComplete((r, failure) -> service.scheduler().execute(() -> campaigned(campaignLease, r, failure)));
        } catch (Exception e) {
            LOG.warn("cluster view {}: cannot campaign: {}; retrying in {} ms", getNamespace(), e.toString(), RETRY_MS);
            retry();
        }
    }

    private void campaigned(long campaignLease, CampaignResponse r, Throwable failure) {
        if (!running || campaignLease != lease) {
            return; // given up meanwhile
        }
        if (failure != null) {
            LOG.warn("cluster view {}: campaign failed: {}; retrying in {} ms", getNamespace(), failure.toString(), RETRY_MS);
            dropLease();
            retry();
            return;
        }
        held = r.leader();
        leaderId = local.getId();
        LOG.info("cluster view {}: {} leads (lease {})", getNamespace(), local.getId(), Long.toHexString(lease));
        fireLeadershipChangedEvent(local);
    }

    /** Renews the lease; a leader that could not for a whole TTL steps down before its lease could expire. */
    private void renew() {
        if (!running) {
            return;
        }
        try {
            long ttl = server.leaseKeepAlive(lease).get(ttlMs / 3, TimeUnit.MILLISECONDS).ttl();
            if (ttl <= 0) {
                lost("lease " + Long.toHexString(lease) + " expired");
                return;
            }
            leaseDeadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl);
        } catch (Exception e) {
            // a margin of one renewal period, so this member stops before another can lead
            if (System.nanoTime() > leaseDeadlineNanos - TimeUnit.MILLISECONDS.toNanos(ttlMs / 3)) {
                lost("lease " + Long.toHexString(lease) + " not renewed for a TTL: " + e);
            }
        }
    }

    private void lost(String why) {
        LOG.warn("cluster view {}: {}; {} campaigns again", getNamespace(), why, local.getId());
        boolean wasLeader = held != null;
        dropLease();
        if (wasLeader) {
            fireLeadershipChangedEvent((CamelClusterMember) null);
        }
        retry();
    }

    private void retry() {
        if (running) {
            service.scheduler().schedule(this::campaign, RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops campaigning and renewing; revokes the lease (best effort: it expires anyway). */
    private void dropLease() {
        held = null;
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
        if (campaign != null) {
            campaign.cancel(true);
            campaign = null;
        }
        if (lease != 0) {
            long revoked = lease;
            lease = 0;
            server.leaseRevoke(revoked).exceptionally(e -> null);
        }
    }

    private void giveUp() {
        boolean wasLeader = held != null;
        dropLease();
        if (observer != null) {
            try {
                observer.close();
            } catch (Exception e) {
                LOG.debug("observer close", e);
            }
            observer = null;
        }
        if (wasLeader) {
            fireLeadershipChangedEvent((CamelClusterMember) null);
        }
    }

    /** Follows who leads, to answer getLeader() on members that do not. */
    private void observe() {
        if (!running) {
            return;
        }
        try {
            observer = server.observe(election,
                    (LeaderResponse r) -> leaderId = r.kv() == null ? null : new String(r.kv().value(), StandardCharsets.UTF_8),
                    failed -> service.scheduler().schedule(this::observe, RETRY_MS, TimeUnit.MILLISECONDS));
        } catch (RuntimeException e) {
            service.scheduler().schedule(this::observe, RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** A campaigner, named by its member. */
    private final class Member implements CamelClusterMember {
        private final String id;
        private final boolean isLocal;

        Member(String id, boolean isLocal) {
            this.id = id;
            this.isLocal = isLocal;
        }

        @Override
        public boolean isLeader() {
            return isLocal ? held != null : id.equals(leaderId) && held == null;
        }

        @Override
        public boolean isLocal() {
            return isLocal;
        }

        @Override
        public String getId() {
            return id;
        }
    }
}
