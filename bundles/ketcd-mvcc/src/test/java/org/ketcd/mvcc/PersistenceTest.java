package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ketcd.mvcc.Kv.b;
import static org.ketcd.mvcc.Kv.get;
import static org.ketcd.mvcc.Kv.prefix;
import static org.ketcd.mvcc.Kv.put;
import static org.ketcd.mvcc.Kv.show;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Alarm;
import org.ketcd.api.AlarmType;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.Bytes;

/** Durability, hashes, space and concurrency of the Derby-backed store. */
class PersistenceTest {

    @TempDir
    Path dir;

    @Test
    void reopenAfterCommitRestoresStateCompactRevisionAndConsistentIndex() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.put(put("a", "1"));
            s.put(put("a", "2"));
            s.deleteRange(new DeleteRangeRequest(b("a"), Bytes.EMPTY, false));
            s.put(put("b", "1"));
            s.compact(new CompactionRequest(3, true));
            s.setConsistentIndex(42);
            s.saveAlarms(List.of(new Alarm(9, AlarmType.NOSPACE)));
            s.commit();
        }
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals(5, s.currentRevision());
            assertEquals(3, s.compactRevision());
            assertEquals(42, s.consistentIndex());
            assertEquals(List.of(new Alarm(9, AlarmType.NOSPACE)), s.loadAlarms());
            assertEquals("a=2{c2,m3,v2,l0}", show(s.range(Kv.getAt("a", 3)).kvs().get(0)));
            assertEquals("[b=1{c5,m5,v1,l0}]", show(s.range(prefix("")).kvs()));
            assertEquals(6, s.put(put("c", "1")).revision());
        }
    }

    @Test
    void revisionSurvivesCompactionOfTheNewestTombstone() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.put(put("a", "1"));
            s.deleteRange(new DeleteRangeRequest(b("a"), Bytes.EMPTY, false));
            s.compact(new CompactionRequest(3, true));
            s.commit();
        }
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals(3, s.currentRevision());
            assertEquals(4, s.put(put("a", "2")).revision());
        }
    }

    @Test
    void uncommittedWritesAndConsistentIndexAreGoneAfterReopen() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.put(put("a", "1"));
            s.setConsistentIndex(10);
            s.commit();
            s.put(put("a", "2"));
            s.put(put("b", "1"));
            s.compact(new CompactionRequest(3, true));
            s.setConsistentIndex(11);
            assertEquals(11, s.consistentIndex());
            assertEquals("a=2{c2,m3,v2,l0}", show(s.range(get("a")).kvs().get(0))); // visible before commit
        }
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals(2, s.currentRevision());
            assertEquals(10, s.consistentIndex());
            assertEquals(0, s.compactRevision());
            assertEquals("[a=1{c2,m2,v1,l0}]", show(s.range(prefix("")).kvs()));
        }
    }

    @Test
    void hashKvIsEqualOnStoresFedTheSameWritesAndDiffersAfterADifferentWrite() {
        try (MvccStore one = MvccStore.open(dir.resolve("one"), MvccOptions.defaults());
             MvccStore two = MvccStore.open(dir.resolve("two"), MvccOptions.defaults())) {
            for (MvccStore s : List.of(one, two)) {
                for (int i = 0; i < 20; i++) {
                    s.put(put("k" + (i % 7), "v" + i));
                }
                s.deleteRange(new DeleteRangeRequest(b("k3"), Bytes.EMPTY, false));
                s.compact(new CompactionRequest(10, true));
            }
            one.commit(); // commit timing must not matter
            assertEquals(one.hashKv(0), two.hashKv(0));
            assertEquals(one.hashKv(15), two.hashKv(15));
            assertEquals(one.hash(), two.hash());
            assertEquals(10, one.hashKv(0).compactRevision());
            assertEquals(22, one.hashKv(0).revision());

            one.put(put("x", "1"));
            two.put(put("x", "2"));
            assertNotEquals(one.hashKv(0).hash(), two.hashKv(0).hash());
            assertNotEquals(one.hash(), two.hash());
            assertEquals(one.hashKv(22), two.hashKv(22)); // the history up to before the difference still agrees
        }
    }

    @Test
    void defragmentShrinksDbSizeAfterDeletingAndCompactingManyKeys() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            byte[] value = new byte[1024];
            for (int i = 0; i < 3000; i++) {
                s.put(new org.ketcd.api.PutRequest(b(String.format("key-%05d", i)), value, 0, false, false, false));
                if (i % 500 == 0) {
                    s.commit();
                }
            }
            s.commit();
            long full = s.dbSize();
            long fullInUse = s.dbSizeInUse();
            assertTrue(full > 3000 * 1024, "db size " + full);
            assertTrue(fullInUse <= full, "in use " + fullInUse + " <= " + full);
            s.deleteRange(new DeleteRangeRequest(b("key-"), Bytes.prefixEnd(b("key-")), false));
            s.compact(new CompactionRequest(s.currentRevision(), true));
            s.commit();
            s.defragment();
            long after = s.dbSize();
            assertTrue(after < full / 4, "db size after defrag " + after + " vs " + full);
            assertTrue(s.dbSizeInUse() < fullInUse, "in use after defrag " + s.dbSizeInUse());
            assertEquals(0, s.range(prefix("")).count());
        }
    }

    @Test
    void readsFromOtherThreadsNeverSeeHalfATransaction() throws Exception {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            AtomicReference<String> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                for (int i = 0; i < 20_000 && failure.get() == null; i++) {
                    var r = s.range(prefix("pair/"));
                    // the two keys are always written together in one txn: same mod revision or both absent
                    if (r.kvs().size() == 2 && r.kvs().get(0).modRevision() != r.kvs().get(1).modRevision()
                        || r.kvs().size() == 1) {
                        failure.set("torn read " + show(r));
                    }
                }
            });
            reader.start();
            for (int i = 0; i < 300; i++) {
                s.txn(new org.ketcd.api.TxnRequest(List.of(), List.of(
                    org.ketcd.api.RequestOp.put(put("pair/a", "" + i)),
                    org.ketcd.api.RequestOp.put(put("pair/b", "" + i))), List.of()));
            }
            reader.join();
            assertEquals(null, failure.get());
        }
    }
}
