package org.ketcd.mvcc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.derby.jdbc.EmbeddedDataSource;
import org.ketcd.api.Alarm;
import org.ketcd.api.AlarmType;
import org.ketcd.api.KeyValue;

/**
 * The Derby side of the store: one embedded database, one connection with autocommit off, so every
 * write joins one open transaction until {@link #commit()}. Not thread-safe: the store serializes calls,
 * but for {@link #readValue}, which readers call concurrently (it serializes itself).
 *
 * <p>Two tables hold the versions: {@code KV} has everything about a version but its value (what the
 * key index is rebuilt from at open, without reading a value), {@code VAL} the values of puts, both keyed
 * by revision. A database written by an earlier Ketcd, with the values in {@code KV}, is converted once at open.
 */
final class DerbyBackend implements AutoCloseable {

    /** Subdirectory of the store directory holding the Derby database. */
    static final String DATABASE_DIR = "derby";
    /** Derby's largest BLOB; etcd bounds keys and values only by the request size, checked upstream. */
    private static final String BLOB_TYPE = "BLOB(2147483647)";
    /** Rows per JDBC batch when compaction deletes revisions, bounding driver memory. */
    static final int DELETE_BATCH_ROWS = 1000;
    /** Meta row names. */
    static final String META_CONSISTENT_INDEX = "consistent_index";
    static final String META_COMPACT_REVISION = "compact_revision";

    private static final String[] TABLES = {"KV", "VAL", "META", "ALARM", "LEASE", "AUTH"};

    private static final String DERBY_LOG_PROPERTY = "derby.stream.error.file";
    private static final String PAGE_CACHE_PROPERTY = "derby.storage.pageCacheSize";

    private final Path databaseDir;
    private final Connection conn;
    private final PreparedStatement insertKv;
    private final PreparedStatement insertValue;
    private final PreparedStatement deleteKv;
    private final PreparedStatement deleteValue;
    private final PreparedStatement selectLengths;
    /** Guards {@link #selectValue}: readers share it. */
    private final Object valueReads = new Object();
    private final PreparedStatement selectValue;
    private final PreparedStatement updateMeta;
    private final PreparedStatement insertMeta;

    DerbyBackend(Path storeDir) {
        this(storeDir, MvccOptions.DEFAULT_PAGE_CACHE_PAGES);
    }

    /** Opens (creating if absent) the database in {@code storeDir} with a page cache of {@code pageCachePages}. */
    DerbyBackend(Path storeDir, int pageCachePages) {
        this.databaseDir = storeDir.resolve(DATABASE_DIR).toAbsolutePath();
        try {
            Files.createDirectories(storeDir);
            // Derby writes its engine log to derby.log in the working directory unless told otherwise;
            // keep it with the data. The property is JVM-wide and read once, when the engine boots.
            if (System.getProperty(DERBY_LOG_PROPERTY) == null) {
                System.setProperty(DERBY_LOG_PROPERTY, storeDir.resolve("derby.log").toAbsolutePath().toString());
            }
            EmbeddedDataSource ds = dataSource();
            ds.setCreateDatabase("create");
            conn = bootWithPageCache(ds, pageCachePages);
            conn.setAutoCommit(false);
            createSchemaIfAbsent();
            insertKv = conn.prepareStatement(
                "INSERT INTO KV (MAIN, SUB, TOMBSTONE, K, CREATE_REV, VERSION, LEASE) VALUES (?, ?, ?, ?, ?, ?, ?)");
            insertValue = conn.prepareStatement("INSERT INTO VAL (MAIN, SUB, V) VALUES (?, ?, ?)");
            deleteKv = conn.prepareStatement("DELETE FROM KV WHERE MAIN = ? AND SUB = ?");
            deleteValue = conn.prepareStatement("DELETE FROM VAL WHERE MAIN = ? AND SUB = ?");
            selectLengths = conn.prepareStatement("SELECT LENGTH(KV.K), LENGTH(VAL.V) FROM KV LEFT OUTER JOIN VAL "
                + "ON KV.MAIN = VAL.MAIN AND KV.SUB = VAL.SUB WHERE KV.MAIN = ? AND KV.SUB = ?");
            selectValue = conn.prepareStatement("SELECT V FROM VAL WHERE MAIN = ? AND SUB = ?");
            updateMeta = conn.prepareStatement("UPDATE META SET VAL = ? WHERE NAME = ?");
            insertMeta = conn.prepareStatement("INSERT INTO META (NAME, VAL) VALUES (?, ?)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open Derby database in " + databaseDir, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path databaseDir() {
        return databaseDir;
    }

    /**
     * Connects, booting the database with a page cache of {@code pages}. Derby reads the size from the
     * system property when a database boots (it ignores it as a database property), so the property is set
     * for the boot only, under a JVM-wide lock, and put back.
     */
    private static Connection bootWithPageCache(EmbeddedDataSource ds, int pages) throws SQLException {
        synchronized (DerbyBackend.class) {
            String before = System.getProperty(PAGE_CACHE_PROPERTY);
            System.setProperty(PAGE_CACHE_PROPERTY, String.valueOf(pages));
            try {
                return ds.getConnection();
            } finally {
                if (before == null) {
                    System.clearProperty(PAGE_CACHE_PROPERTY);
                } else {
                    System.setProperty(PAGE_CACHE_PROPERTY, before);
                }
            }
        }
    }

    /**
     * Copies the committed database into {@code targetDir} with Derby's online backup, over a
     * connection of its own (the store's connection may hold uncommitted work). What was committed
     * before the call is in the copy, consistent index included.
     */
    void backupTo(Path targetDir) {
        try (Connection backup = dataSource().getConnection();
             java.sql.CallableStatement call = backup.prepareCall("CALL SYSCS_UTIL.SYSCS_BACKUP_DATABASE(?)")) {
            call.setString(1, targetDir.toAbsolutePath().toString());
            call.execute();
        } catch (SQLException e) {
            throw fault("backup", e);
        }
    }

    private EmbeddedDataSource dataSource() {
        EmbeddedDataSource ds = new EmbeddedDataSource();
        ds.setDatabaseName(databaseDir.toString());
        return ds;
    }

    private void createSchemaIfAbsent() throws SQLException {
        try (Statement st = conn.createStatement()) {
            if (!tableExists("LEASE")) {
                // etcd's lease bucket: the granted leases; their keys are found through the KV rows' LEASE.
                st.executeUpdate("CREATE TABLE LEASE (ID BIGINT NOT NULL PRIMARY KEY, TTL BIGINT NOT NULL)");
            }
            if (!tableExists("AUTH")) {
                // etcd's auth, authUsers and authRoles buckets, as one encoded state (it is small and changes rarely)
                st.executeUpdate("CREATE TABLE AUTH (ID SMALLINT NOT NULL PRIMARY KEY, STATE " + BLOB_TYPE + " NOT NULL)");
            }
        }
        if (tableExists("KV")) {
            if (!tableExists("VAL")) {
                moveValuesOutOfKv();
            }
            conn.commit();
            return;
        }
        try (Statement st = conn.createStatement()) {
            st.executeUpdate("CREATE TABLE KV (MAIN BIGINT NOT NULL, SUB BIGINT NOT NULL, TOMBSTONE SMALLINT NOT NULL, "
                + "K " + BLOB_TYPE + " NOT NULL, CREATE_REV BIGINT NOT NULL, "
                + "VERSION BIGINT NOT NULL, LEASE BIGINT NOT NULL, PRIMARY KEY (MAIN, SUB))");
            createValueTable(st);
            st.executeUpdate("CREATE TABLE META (NAME VARCHAR(64) NOT NULL PRIMARY KEY, VAL BIGINT NOT NULL)");
            st.executeUpdate("CREATE TABLE ALARM (MEMBER_ID BIGINT NOT NULL, TYPE INT NOT NULL, "
                + "PRIMARY KEY (MEMBER_ID, TYPE))");
        }
        conn.commit();
    }

    private static void createValueTable(Statement st) throws SQLException {
        st.executeUpdate("CREATE TABLE VAL (MAIN BIGINT NOT NULL, SUB BIGINT NOT NULL, V " + BLOB_TYPE + " NOT NULL, "
            + "PRIMARY KEY (MAIN, SUB))");
    }

    /** A database of an earlier Ketcd keeps the values in KV: they move to VAL, in the same transaction. */
    private void moveValuesOutOfKv() throws SQLException {
        try (Statement st = conn.createStatement()) {
            createValueTable(st);
            st.executeUpdate("INSERT INTO VAL (MAIN, SUB, V) SELECT MAIN, SUB, V FROM KV WHERE TOMBSTONE = 0 AND V IS NOT NULL");
            st.executeUpdate("ALTER TABLE KV DROP COLUMN V");
        }
    }

    private boolean tableExists(String table) throws SQLException {
        try (ResultSet rs = conn.getMetaData().getTables(null, "APP", table, null)) {
            return rs.next();
        }
    }

    /** Granted leases, id -> TTL in seconds. */
    Map<Long, Long> readLeases() {
        Map<Long, Long> leases = new HashMap<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT ID, TTL FROM LEASE")) {
            while (rs.next()) {
                leases.put(rs.getLong(1), rs.getLong(2));
            }
        } catch (SQLException ex) {
            throw fault("read leases", ex);
        }
        return leases;
    }

    void insertLease(long id, long ttl) {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO LEASE (ID, TTL) VALUES (?, ?)")) {
            ps.setLong(1, id);
            ps.setLong(2, ttl);
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw fault("insert lease", ex);
        }
    }

    void deleteLease(long id) {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM LEASE WHERE ID = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw fault("delete lease", ex);
        }
    }

    void insert(KeyIndex.Entry e) {
        KeyValue kv = e.kv();
        try {
            insertKv.setLong(1, e.rev().main());
            insertKv.setLong(2, e.rev().sub());
            insertKv.setShort(3, (short) (e.tombstone() ? 1 : 0));
            insertKv.setBytes(4, kv.key());
            insertKv.setLong(5, kv.createRevision());
            insertKv.setLong(6, kv.version());
            insertKv.setLong(7, kv.lease());
            insertKv.executeUpdate();
            if (!e.tombstone()) {
                insertValue.setLong(1, e.rev().main());
                insertValue.setLong(2, e.rev().sub());
                insertValue.setBytes(3, kv.value());
                insertValue.executeUpdate();
            }
        } catch (SQLException ex) {
            throw fault("insert", ex);
        }
    }

    /**
     * The value of the put at {@code rev} (written in this transaction or committed), or null if there is
     * none. Safe to call from concurrent readers while no write runs.
     */
    byte[] readValue(Revision rev) {
        synchronized (valueReads) {
            try {
                selectValue.setLong(1, rev.main());
                selectValue.setLong(2, rev.sub());
                try (ResultSet rs = selectValue.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            } catch (SQLException ex) {
                throw fault("read value", ex);
            }
        }
    }

    /** One stored value and its revision. */
    record StoredValue(Revision rev, byte[] value) {
    }

    /**
     * Streams every value in revision order to {@code sink}, one row at a time (for hashes over the whole
     * store); the sink returns false to stop early.
     */
    void forEachValue(java.util.function.Predicate<StoredValue> sink) {
        synchronized (valueReads) {
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT MAIN, SUB, V FROM VAL ORDER BY MAIN, SUB")) {
                while (rs.next()) {
                    if (!sink.test(new StoredValue(new Revision(rs.getLong(1), rs.getLong(2)), rs.getBytes(3)))) {
                        return;
                    }
                }
            } catch (SQLException ex) {
                throw fault("scan values", ex);
            }
        }
    }

    /** Deletes these versions; returns their {@link StoreSize} bytes. */
    long delete(List<Revision> revisions) {
        long freed = 0;
        try {
            int pending = 0;
            for (Revision r : revisions) {
                selectLengths.setLong(1, r.main());
                selectLengths.setLong(2, r.sub());
                try (ResultSet rs = selectLengths.executeQuery()) {
                    if (rs.next()) {
                        freed += StoreSize.version(rs.getInt(1), rs.getInt(2)); // no value (a tombstone): 0
                    }
                }
                for (PreparedStatement ps : new PreparedStatement[] {deleteKv, deleteValue}) {
                    ps.setLong(1, r.main());
                    ps.setLong(2, r.sub());
                    ps.addBatch();
                }
                if (++pending == DELETE_BATCH_ROWS) {
                    deleteKv.executeBatch();
                    deleteValue.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                deleteKv.executeBatch();
                deleteValue.executeBatch();
            }
        } catch (SQLException ex) {
            throw fault("delete", ex);
        }
        return freed;
    }

    /** Counts the {@link StoreSize} bytes of every stored version from the tables (a scan of both). */
    long storedBytes(int versionBytes) {
        try (Statement st = conn.createStatement();
             ResultSet kv = st.executeQuery("SELECT COUNT(*), SUM(CAST(LENGTH(K) AS BIGINT)) FROM KV")) {
            kv.next();
            long total = kv.getLong(1) * versionBytes + kv.getLong(2);
            try (ResultSet val = st.executeQuery("SELECT SUM(CAST(LENGTH(V) AS BIGINT)) FROM VAL")) {
                val.next();
                return total + val.getLong(1);
            }
        } catch (SQLException ex) {
            throw fault("count stored bytes", ex);
        }
    }

    /**
     * Feeds every stored version without its value (null), in no particular order (a plain table scan: at
     * open, with 1M rows, {@code ORDER BY MAIN, SUB} walked the primary-key index and fetched each row
     * through it, 1.2 s; the scan takes 0.7 s). {@link KeyIndex#load} puts each key's versions in order.
     */
    void loadAll(Consumer<KeyIndex.Entry> sink) {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAIN, SUB, TOMBSTONE, K, CREATE_REV, VERSION, LEASE FROM KV")) {
            while (rs.next()) {
                long main = rs.getLong(1);
                boolean tombstone = rs.getShort(3) != 0;
                KeyValue kv = new KeyValue(rs.getBytes(4), rs.getLong(5), main, rs.getLong(6), null, rs.getLong(7));
                sink.accept(new KeyIndex.Entry(new Revision(main, rs.getLong(2)), kv, tombstone));
            }
        } catch (SQLException ex) {
            throw fault("load", ex);
        }
    }

    long readMeta(String name, long absent) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT VAL FROM META WHERE NAME = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : absent;
            }
        } catch (SQLException ex) {
            throw fault("read meta", ex);
        }
    }

    void writeMeta(String name, long value) {
        try {
            updateMeta.setLong(1, value);
            updateMeta.setString(2, name);
            if (updateMeta.executeUpdate() == 0) {
                insertMeta.setString(1, name);
                insertMeta.setLong(2, value);
                insertMeta.executeUpdate();
            }
        } catch (SQLException ex) {
            throw fault("write meta", ex);
        }
    }

    List<Alarm> readAlarms() {
        List<Alarm> alarms = new ArrayList<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT MEMBER_ID, TYPE FROM ALARM ORDER BY MEMBER_ID, TYPE")) {
            while (rs.next()) {
                alarms.add(new Alarm(rs.getLong(1), AlarmType.values()[rs.getInt(2)]));
            }
        } catch (SQLException ex) {
            throw fault("read alarms", ex);
        }
        return alarms;
    }

    void writeAlarms(List<Alarm> alarms) {
        try (Statement st = conn.createStatement();
             PreparedStatement ps = conn.prepareStatement("INSERT INTO ALARM (MEMBER_ID, TYPE) VALUES (?, ?)")) {
            st.executeUpdate("DELETE FROM ALARM");
            for (Alarm a : alarms) {
                ps.setLong(1, a.memberId());
                ps.setInt(2, a.type().ordinal());
                ps.executeUpdate();
            }
        } catch (SQLException ex) {
            throw fault("write alarms", ex);
        }
    }

    /** The auth store's encoded state, or an empty array when none was ever written. */
    byte[] readAuth() {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT STATE FROM AUTH WHERE ID = 1")) {
            return rs.next() ? rs.getBytes(1) : new byte[0];
        } catch (SQLException ex) {
            throw fault("read auth", ex);
        }
    }

    void writeAuth(byte[] state) {
        try (Statement st = conn.createStatement();
             PreparedStatement ps = conn.prepareStatement("INSERT INTO AUTH (ID, STATE) VALUES (1, ?)")) {
            st.executeUpdate("DELETE FROM AUTH");
            ps.setBytes(1, state);
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw fault("write auth", ex);
        }
    }

    /** Marks the current point of the open transaction, to undo a half-applied request. */
    Savepoint savepoint() {
        try {
            return conn.setSavepoint();
        } catch (SQLException ex) {
            throw fault("savepoint", ex);
        }
    }

    void release(Savepoint savepoint) {
        try {
            conn.releaseSavepoint(savepoint);
        } catch (SQLException ex) {
            throw fault("release savepoint", ex);
        }
    }

    void rollbackTo(Savepoint savepoint) {
        try {
            conn.rollback(savepoint);
        } catch (SQLException ex) {
            throw fault("rollback to savepoint", ex);
        }
    }

    void commit() {
        try {
            conn.commit();
        } catch (SQLException ex) {
            throw fault("commit", ex);
        }
    }

    /** Rebuilds every table, returning free pages to the file system; commits; tells each table as it begins. */
    void compress(java.util.function.Consumer<String> progress) {
        try (PreparedStatement ps = conn.prepareStatement("CALL SYSCS_UTIL.SYSCS_COMPRESS_TABLE('APP', ?, 1)")) {
            for (int i = 0; i < TABLES.length; i++) {
                String table = TABLES[i];
                progress.accept("table " + (i + 1) + " of " + TABLES.length + " (" + table + ")");
                ps.setString(1, table);
                ps.execute();
                conn.commit();
            }
        } catch (SQLException ex) {
            throw fault("compress", ex);
        }
    }

    /** Rolls back what was not committed and shuts down this database only. */
    @Override
    public void close() {
        try {
            conn.rollback();
            conn.close();
        } catch (SQLException ex) {
            // still shut the database down below
        }
        shutdownDatabase();
    }

    private void shutdownDatabase() {
        EmbeddedDataSource ds = dataSource();
        ds.setShutdownDatabase("shutdown");
        try {
            ds.getConnection().close();
        } catch (SQLException ex) {
            if (!"08006".equals(ex.getSQLState())) { // 08006 = this database was shut down, as asked
                throw fault("shutdown", ex);
            }
        }
    }

    private IllegalStateException fault(String what, SQLException ex) {
        return new IllegalStateException("Derby " + what + " failed in " + databaseDir, ex);
    }
}
