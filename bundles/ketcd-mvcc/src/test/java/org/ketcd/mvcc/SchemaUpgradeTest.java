package org.ketcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.apache.derby.jdbc.EmbeddedDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;

/** A data dir written by an earlier Ketcd (values inside the KV table) opens, keeps every version and goes on. */
class SchemaUpgradeTest {

    @Test
    void aStoreWhoseValuesAreInsideItsVersionRowsMovesThemOutAtOpenAndServesThem(@TempDir Path dir) throws Exception {
        EmbeddedDataSource ds = new EmbeddedDataSource();
        ds.setDatabaseName(dir.resolve(DerbyBackend.DATABASE_DIR).toAbsolutePath().toString());
        ds.setCreateDatabase("create");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("CREATE TABLE LEASE (ID BIGINT NOT NULL PRIMARY KEY, TTL BIGINT NOT NULL)");
            st.executeUpdate("CREATE TABLE KV (MAIN BIGINT NOT NULL, SUB BIGINT NOT NULL, TOMBSTONE SMALLINT NOT NULL, "
                    + "K BLOB(2147483647) NOT NULL, V BLOB(2147483647), CREATE_REV BIGINT NOT NULL, "
                    + "VERSION BIGINT NOT NULL, LEASE BIGINT NOT NULL, PRIMARY KEY (MAIN, SUB))");
            st.executeUpdate("CREATE TABLE META (NAME VARCHAR(64) NOT NULL PRIMARY KEY, VAL BIGINT NOT NULL)");
            st.executeUpdate("CREATE TABLE ALARM (MEMBER_ID BIGINT NOT NULL, TYPE INT NOT NULL, PRIMARY KEY (MEMBER_ID, TYPE))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO KV VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                row(ps, 2, 0, false, "a", "first", 2, 1);
                row(ps, 3, 0, false, "a", "second", 2, 2);
                row(ps, 4, 0, false, "b", "", 4, 1);
                row(ps, 5, 0, true, "b", "", 0, 0);
            }
        }
        ds.setShutdownDatabase("shutdown");
        try {
            ds.getConnection().close();
        } catch (java.sql.SQLException shutDown) {
            // 08006: shut down as asked
        }

        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertEquals(5, s.currentRevision());
            assertArrayEquals(Bytes.utf8("second"), value(s, "a", 0));
            assertArrayEquals(Bytes.utf8("first"), value(s, "a", 2));
            assertArrayEquals(new byte[0], value(s, "b", 4));
            assertTrue(s.range(RangeRequest.of(Bytes.utf8("b"), Bytes.EMPTY)).kvs().isEmpty());
            assertEquals(6, s.put(PutRequest.of(Bytes.utf8("c"), Bytes.utf8("new"))).revision());
            s.commit();
        }
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            assertArrayEquals(Bytes.utf8("new"), value(s, "c", 0));
            assertArrayEquals(Bytes.utf8("first"), value(s, "a", 2));
        }
    }

    private static void row(PreparedStatement ps, long main, long sub, boolean tombstone, String key, String value,
                            long created, long version) throws Exception {
        ps.setLong(1, main);
        ps.setLong(2, sub);
        ps.setShort(3, (short) (tombstone ? 1 : 0));
        ps.setBytes(4, Bytes.utf8(key));
        ps.setBytes(5, Bytes.utf8(value));
        ps.setLong(6, created);
        ps.setLong(7, version);
        ps.setLong(8, 0);
        ps.executeUpdate();
    }

    private static byte[] value(MvccStore s, String key, long rev) {
        RangeRequest r = RangeRequest.of(Bytes.utf8(key), Bytes.EMPTY);
        r = new RangeRequest(r.key(), r.rangeEnd(), 0, rev, r.sortOrder(), r.sortTarget(), false, false, false, 0, 0, 0, 0);
        return s.range(r).kvs().get(0).value();
    }
}
