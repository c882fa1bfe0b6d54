package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.ketcd.mvcc.Kv.b;
import static org.ketcd.mvcc.Kv.prefix;
import static org.ketcd.mvcc.Kv.show;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.PutRequest;

/** Leases as the store keeps them: granted ids with TTLs, the keys each holds, revocation in one revision. */
class LeaseStoreTest {
    @TempDir
    Path dir;

    private static PutRequest putWithLease(String key, String value, long lease) {
        return new PutRequest(b(key), b(value), lease, false, false, false);
    }

    private static List<String> keys(MvccStore s, long lease) {
        return s.leaseKeys(lease).stream().map(k -> new String(k, java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    @Test
    void revokingALeaseDeletesEveryKeyItHoldsInOneRevisionAndLeavesOthers() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.grantLease(1, 10);
            s.put(putWithLease("a", "1", 1));
            s.put(putWithLease("b", "1", 1));
            s.put(Kv.put("c", "no lease"));
            assertEquals(4, s.currentRevision());
            assertEquals(5, s.revokeLease(1));
            assertEquals("[c=no lease{c4,m4,v1,l0}]", show(s.range(prefix("")).kvs()));
            assertEquals(Map.of(), s.leases());
            EtcdException again = assertThrows(EtcdException.class, () -> s.revokeLease(1));
            assertEquals(EtcdError.LEASE_NOT_FOUND, again.error());
        }
    }

    @Test
    void aRevokedLeaseWithoutKeysAddsNoRevision() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.grantLease(1, 10);
            assertEquals(1, s.revokeLease(1));
        }
    }

    @Test
    void aKeyFollowsItsNewestVersionsLeaseAndLeavesItWhenDeleted() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.grantLease(1, 10);
            s.grantLease(2, 10);
            s.put(putWithLease("k", "1", 1));
            s.put(putWithLease("j", "1", 1));
            s.put(putWithLease("k", "2", 2)); // moves to lease 2
            s.put(Kv.put("j", "2")); // detached
            assertEquals(List.of(), keys(s, 1));
            assertEquals(List.of("k"), keys(s, 2));
            s.deleteRange(new DeleteRangeRequest(b("k"), Bytes.EMPTY, false));
            assertEquals(List.of(), keys(s, 2));
            long before = s.currentRevision();
            assertEquals(before, s.revokeLease(1), "nothing left to delete");
        }
    }

    @Test
    void grantingAGrantedLeaseOrPuttingWithAnUnknownOneIsRefusedAndChangesNothing() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.grantLease(7, 10);
            assertEquals(EtcdError.LEASE_EXIST, assertThrows(EtcdException.class, () -> s.grantLease(7, 20)).error());
            assertEquals(Map.of(7L, 10L), s.leases());
            assertEquals(EtcdError.LEASE_NOT_FOUND,
                    assertThrows(EtcdException.class, () -> s.put(putWithLease("x", "1", 8))).error());
            assertEquals(1, s.currentRevision());
        }
    }

    @Test
    void leasesAndTheirKeysSurviveAReopenAfterCommit() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.grantLease(1, 30);
            s.grantLease(2, 60);
            s.put(putWithLease("b", "1", 1));
            s.put(putWithLease("a", "1", 1));
            s.put(putWithLease("z", "1", 2));
            s.commit();
            s.grantLease(3, 90); // not committed: gone after the reopen, as any uncommitted write
        }
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals(Map.of(1L, 30L, 2L, 60L), s.leases());
            assertEquals(List.of("a", "b"), keys(s, 1));
            assertEquals(List.of("z"), keys(s, 2));
            assertEquals(5, s.revokeLease(1));
            assertEquals("[z=1{c4,m4,v1,l2}]", show(s.range(prefix("")).kvs()));
        }
    }
}
