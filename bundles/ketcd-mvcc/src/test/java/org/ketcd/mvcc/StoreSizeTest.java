package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ketcd.mvcc.Kv.b;
import static org.ketcd.mvcc.Kv.put;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.CompactionRequest;
import org.ketcd.api.DeleteRangeRequest;

/**
 * dbSize and dbSizeInUse count what a user stores (keys, values, a fixed cost per version), not Derby's
 * files: an empty store holds nothing, a compaction frees what it drops, and the size only shrinks back
 * to what is in use when the store is defragmented, as etcd's bbolt file does.
 */
class StoreSizeTest {
    private static final long V = StoreSize.VERSION_BYTES;

    @TempDir
    Path dir;

    @Test
    void eachVersionCountsItsKeyItsValueAndAFixedCostUntilCompactedAndDefragmented() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals(0, s.dbSize());
            s.put(put("k", "x".repeat(64)));
            assertEquals(V + 1 + 64, s.dbSizeInUse());
            s.put(put("k", "y".repeat(100)));
            s.deleteRange(new DeleteRangeRequest(b("k"), Bytes.EMPTY, false)); // a tombstone: key, no value
            long all = 3 * V + 3 + 64 + 100;
            assertEquals(all, s.dbSizeInUse());
            assertEquals(all, s.dbSize());

            s.put(put("other", "z"));
            s.compact(new CompactionRequest(s.currentRevision(), true));
            long left = V + 5 + 1; // only "other" is left: the compaction dropped every version of "k"
            assertEquals(left, s.dbSizeInUse());
            assertEquals(all + V + 6, s.dbSize(), "the size stays at its highest until a defragment");
            s.defragment();
            assertEquals(left, s.dbSize());
            assertEquals(left, s.dbSizeInUse());
        }
    }

    @Test
    void aDefragmentTellsEachTableOnceInOrderAsItsRebuildBegins() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            s.put(put("k", "v"));
            java.util.List<String> steps = new java.util.ArrayList<>();
            s.defragment(steps::add);
            assertEquals(java.util.List.of("table 1 of 6 (KV)", "table 2 of 6 (VAL)", "table 3 of 6 (META)",
                    "table 4 of 6 (ALARM)", "table 5 of 6 (LEASE)", "table 6 of 6 (AUTH)"), steps);
            assertEquals("v", Kv.str(s.range(Kv.get("k")).kvs().get(0).value()));
        }
    }

    @Test
    void theCountsSurviveAReopenAndAStoreWithoutThemIsCountedFromItsTables() throws SQLException {
        long inUse;
        long highest;
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            for (int i = 0; i < 50; i++) {
                s.put(put("key-" + i, "v".repeat(i)));
            }
            s.compact(new CompactionRequest(s.currentRevision(), true));
            s.put(put("key-1", "again"));
            s.commit();
            inUse = s.dbSizeInUse();
            highest = s.dbSize();
        }
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals(inUse, s.dbSizeInUse());
            assertEquals(highest, s.dbSize());
        }
        // a store written before the counts were kept
        String database = dir.resolve(MvccStore.databaseDirName()).toAbsolutePath().toString();
        try (Connection c = DriverManager.getConnection("jdbc:derby:" + database); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM META WHERE NAME LIKE 'size_%'");
        }
        try {
            DriverManager.getConnection("jdbc:derby:" + database + ";shutdown=true");
        } catch (SQLException shutDown) {
            assertEquals("08006", shutDown.getSQLState(), shutDown.toString());
        }
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals(inUse, s.dbSizeInUse());
            assertEquals(inUse, s.dbSize());
        }
    }
}
