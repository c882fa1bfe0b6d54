package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.mvcc.MvccOptions;
import org.ketcd.mvcc.MvccStore;

/** The leader's clock over leases: minimum TTL, who may expire them, renewals, and ids. */
class LessorTest {
    @TempDir
    Path dir;
    private MvccStore store;

    @BeforeEach
    void open() {
        store = MvccStore.open(dir, MvccOptions.defaults());
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theMinimumTtlIsOneAndAHalfElectionTimeoutsRoundedUpAsEtcdComputesIt() {
        assertEquals(2, Lessor.minTtlSeconds(1000, 100)); // etcd's defaults: 1.5 s -> 2 s
        assertEquals(8, Lessor.minTtlSeconds(5000, 500)); // 7.5 s -> 8 s
        assertEquals(1, Lessor.minTtlSeconds(500, 50)); // 0.75 s -> 1 s
    }

    @Test
    void aGrantBelowTheMinimumIsRaisedToItAndATooLongOneIsRefused() {
        Lessor lessor = new Lessor(store, 2);
        assertEquals(2, lessor.grant(1, 1).ttl());
        assertEquals(2, store.leases().get(1L));
        assertEquals(EtcdError.LEASE_TTL_TOO_LARGE,
                assertThrows(EtcdException.class, () -> lessor.grant(2, Lessor.MAX_TTL_SECONDS + 1)).error());
    }

    @Test
    void onlyThePrimaryExpiresLeasesAndAFollowerNeverDoes() throws Exception {
        Lessor lessor = new Lessor(store, 1);
        lessor.grant(1, 1);
        Thread.sleep(1_200);
        assertEquals(List.of(), lessor.expired(10), "a follower holds every lease");
        assertEquals(EtcdError.LEASE_NOT_FOUND, assertThrows(EtcdException.class, () -> lessor.renew(99)).error());
        lessor.promote(0);
        long remaining = lessor.remainingSeconds(1);
        assertTrue(remaining >= 0 && remaining <= 1, "whole seconds left of a 1 s TTL: " + remaining);
        Thread.sleep(1_200);
        assertEquals(List.of(1L), lessor.expired(10));
        assertEquals(EtcdError.LEASE_NOT_FOUND, assertThrows(EtcdException.class, () -> lessor.renew(1)).error(),
                "an expired lease is not renewed: its revocation is under way");
        lessor.demote();
        assertEquals(List.of(), lessor.expired(10));
    }

    @Test
    void aNewLeaderGivesEveryLeaseItsFullTtlPlusTheGraceItIsTold() throws Exception {
        Lessor lessor = new Lessor(store, 1);
        lessor.grant(1, 1);
        lessor.promote(1_000);
        Thread.sleep(1_200); // past the TTL, within TTL + grace
        assertEquals(List.of(), lessor.expired(10));
        assertEquals(1, lessor.renew(1));
        assertTrue(lessor.expired(10).isEmpty());
    }

    @Test
    void aRevokedLeaseIsForgottenAndAReloadRebuildsTheClocksFromTheStore() {
        Lessor lessor = new Lessor(store, 1);
        lessor.grant(1, 30);
        lessor.grant(2, 30);
        lessor.revoke(1);
        assertEquals(List.of(2L), lessor.ids());
        assertEquals(-1, lessor.remainingSeconds(1));
        store.grantLease(3, 40); // as a snapshot from the leader would bring it
        lessor.reload();
        assertEquals(List.of(2L, 3L), lessor.ids());
        assertEquals(40, lessor.grantedTtl(3));
    }

    @Test
    void serverChosenLeaseIdsArePositiveDistinctAndCarryTheMemberPrefix() {
        LeaseIds ids = new LeaseIds(0xabcd_1234L, 1_700_000_000_000L);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            long id = ids.next();
            assertTrue(id > 0);
            assertEquals(0x1234L, id >>> 48);
            assertTrue(seen.add(id));
        }
        assertNotEquals(new LeaseIds(1, 5).next(), new LeaseIds(2, 5).next(), "members differ in the prefix");
    }
}
