package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale: one member holds 10,000 leases, each with a key, all kept alive by jetcd over one client for
 * longer than their TTL; none expires. Prints the heap the leases take (no timing is asserted).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TenThousandLeasesTest {
    static final int LEASES = 10_000;
    /** Several keep-alive rounds (jetcd renews at a third of the TTL) within the test's wait past it. */
    static final long TTL_SECONDS = 30;
    /**
     * Grants and puts in flight at once, so the test does not queue 10,000 requests in the client. Moderate: client
     * and member share this JVM's cores, and jetcd gives up on a lease whose first keep-alive answer takes over 5 s.
     */
    static final int IN_FLIGHT = 64;

    @TempDir
    Path dir;

    private static ByteSequence b(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void oneMemberHoldsTenThousandLeasesKeptAliveWithAKeyEachAndNoneExpires() throws Exception {
        try (GrpcCluster cluster = GrpcCluster.start(dir, 1)) {
            Client c = cluster.client(0);
            long heapBefore = usedHeapAfterGc();
            List<Long> ids = Collections.synchronizedList(new ArrayList<>());
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            CountDownLatch done = new CountDownLatch(LEASES);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Set<Long> renewed = ConcurrentHashMap.newKeySet();
            List<CloseableClient> keepers = Collections.synchronizedList(new ArrayList<>());
            StreamObserver<LeaseKeepAliveResponse> renewals = new StreamObserver<>() {
                @Override
                public void onNext(LeaseKeepAliveResponse r) {
                    if (r.getTTL() > 0) {
                        renewed.add(r.getID());
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
            long grantStart = System.nanoTime();
            for (int i = 0; i < LEASES; i++) {
                inFlight.acquire();
                String key = "/scale/lease/" + i;
                // each lease is kept alive from its grant on: however long granting all takes (a loaded machine),
                // only a keep-alive that does not work lets one expire
                c.getLeaseClient().grant(TTL_SECONDS)
                        .thenCompose(g -> {
                            keepers.add(c.getLeaseClient().keepAlive(g.getID(), renewals));
                            return c.getKVClient().put(b(key), b("v"), PutOption.builder().withLeaseId(g.getID()).build())
                                    .thenApply(p -> g.getID());
                        })
                        .whenComplete((id, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            } else {
                                ids.add(id);
                            }
                            inFlight.release();
                            done.countDown();
                        });
            }
            assertTrue(done.await(3, TimeUnit.MINUTES), "grants and puts did not finish");
            assertEquals(null, failure.get());
            long grantMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - grantStart);

            try {
                // past the TTL of every lease: each was granted (and its keep-alive began) before this sleep began
                Thread.sleep(TimeUnit.SECONDS.toMillis(TTL_SECONDS + 3));
                long keys = c.getKVClient().get(b("/scale/lease/"), GetOption.builder().isPrefix(true).withCountOnly(true).build())
                        .get(30, TimeUnit.SECONDS).getCount();
                assertEquals(LEASES, keys, "every key's lease is alive (granting took " + grantMs + " ms)");
                assertEquals(LEASES, cluster.member(0).server().leases().get(30, TimeUnit.SECONDS).size());
                assertEquals(LEASES, renewed.size(), "every lease was renewed by its keep-alive");
                long heapHeld = usedHeapAfterGc() - heapBefore;
                System.out.printf("10,000 leases scale: %d leases with a key each granted in %d ms, all renewed; heap used "
                        + "grew by %.1f MB (%d bytes per lease incl. its key, the client's keep-alive state and the server's)%n",
                        LEASES, grantMs, heapHeld / 1e6, heapHeld / LEASES);
            } finally {
                keepers.forEach(CloseableClient::close);
            }
        }
    }
}
