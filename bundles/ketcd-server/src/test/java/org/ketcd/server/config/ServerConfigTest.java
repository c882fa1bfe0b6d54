package org.ketcd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void defaultsAreEtcds() {
        ServerConfig c = ServerConfig.defaults();
        assertEquals("default", c.name());
        assertEquals(Path.of("default.etcd"), c.dataDir());
        assertEquals(List.of(URI.create("http://localhost:2379")), c.listenClientUrls());
        assertEquals(List.of(URI.create("http://localhost:2380")), c.listenPeerUrls());
        assertEquals(100, c.heartbeatIntervalMs());
        assertEquals(1000, c.electionTimeoutMs());
        assertEquals(1572864, c.maxRequestBytes());
        assertEquals(128, c.maxTxnOps());
        assertEquals(100000, c.snapshotCount());
        assertEquals(2L * 1024 * 1024 * 1024, c.quotaBackendBytes());
        assertEquals("etcd-cluster", c.initialClusterToken());
    }

    @Test
    void dataDirFollowsTheName() throws Exception {
        assertEquals(Path.of("n1.etcd"), ServerConfig.resolve(new String[] {"--name", "n1"}, Map.of(), Map.of()).dataDir());
    }

    @Test
    void flagBeatsEnvironmentBeatsCfgFileBeatsDefault() throws Exception {
        Map<String, String> cfg = Map.of("max-txn-ops", "10", "snapshot-count", "11", "heartbeat-interval", "12");
        Map<String, String> env = Map.of("ETCD_MAX_TXN_OPS", "20", "ETCD_SNAPSHOT_COUNT", "21");
        ServerConfig c = ServerConfig.resolve(new String[] {"--max-txn-ops=30"}, env, cfg);
        assertEquals(30, c.maxTxnOps());
        assertEquals(21, c.snapshotCount());
        assertEquals(12, c.heartbeatIntervalMs());
        assertEquals(1000, c.electionTimeoutMs());
    }

    @Test
    void bothFlagSpellingsWork() throws Exception {
        assertEquals("a", ServerConfig.resolve(new String[] {"-name", "a"}, Map.of(), Map.of()).name());
        assertEquals("b", ServerConfig.resolve(new String[] {"--name=b"}, Map.of(), Map.of()).name());
    }

    @Test
    void unknownFlagIsRefusedWithEtcdsMessage() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--bogus-flag"}, Map.of(), Map.of()));
        assertEquals("flag provided but not defined: -bogus-flag", e.getMessage());
    }

    @Test
    void badNumberNamesTheFlag() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--heartbeat-interval", "abc"}, Map.of(), Map.of()));
        assertEquals("invalid value \"abc\" for flag -heartbeat-interval: parse error", e.getMessage());
    }

    @Test
    void badEnvironmentValueNamesTheFlag() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[0], Map.of("ETCD_QUOTA_BACKEND_BYTES", "lots"), Map.of()));
        assertEquals("invalid value \"lots\" for flag -quota-backend-bytes: parse error", e.getMessage());
    }

    @Test
    void listenClientUrlsNeedAdvertiseClientUrls() {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.resolve(
                new String[] {"--listen-client-urls", "http://127.0.0.1:1234"}, Map.of(), Map.of()));
        assertEquals("--advertise-client-urls is required when --listen-client-urls is set explicitly", e.getMessage());
    }

    private static final String[] HTTPS_PEER = {"--listen-peer-urls", "https://127.0.0.1:2380",
        "--initial-advertise-peer-urls", "https://127.0.0.1:2380", "--initial-cluster", "default=https://127.0.0.1:2380"};

    @Test
    void httpsPeerUrlWithoutPeerCertificateIsRefusedWithEtcdsMessage() {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.resolve(HTTPS_PEER, Map.of(), Map.of()));
        assertEquals("cannot listen on TLS for 127.0.0.1:2380: KeyFile and CertFile are not presented", e.getMessage());
    }

    @Test
    void peerCertificateWithoutKeyIsRefused() throws Exception {
        Path cert = java.nio.file.Files.createTempFile("peer", ".crt");
        try {
            String[] flags = java.util.stream.Stream.concat(java.util.Arrays.stream(HTTPS_PEER),
                    java.util.stream.Stream.of("--peer-cert-file", cert.toString())).toArray(String[]::new);
            ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.resolve(flags, Map.of(), Map.of()));
            assertEquals("--peer-cert-file and --peer-key-file must be given together", e.getMessage());
        } finally {
            java.nio.file.Files.delete(cert);
        }
    }

    @Test
    void peerUrlsMixingHttpAndHttpsAreRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.resolve(new String[] {
            "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
            "--initial-cluster", "default=http://127.0.0.1:2380,other=https://127.0.0.2:2380"}, Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith("peer URL https://127.0.0.2:2380 and --listen-peer-urls http://127.0.0.1:2380 differ in scheme"),
                e.getMessage());
    }

    @Test
    void peerCertificateFilesWithHttpPeerUrlsAreIgnoredAsEtcdDoes() throws Exception {
        ServerConfig c = ServerConfig.resolve(new String[] {"--peer-cert-file", "/nonexistent.crt", "--peer-key-file", "/nonexistent.key"},
                Map.of(), Map.of());
        assertTrue(c.peerTls().isEmpty());
    }

    @Test
    void peerTlsFlagsComeFromEtcdsEnvironmentVariables() throws Exception {
        Path cert = java.nio.file.Files.createTempFile("peer", ".crt");
        try {
            ServerConfig c = ServerConfig.resolve(HTTPS_PEER, Map.of("ETCD_PEER_CERT_FILE", cert.toString(), "ETCD_PEER_KEY_FILE",
                    cert.toString(), "ETCD_PEER_CLIENT_CERT_AUTH", "true", "ETCD_PEER_CERT_ALLOWED_CN", "member"), Map.of());
            assertEquals(cert.toString(), c.peerTls().certFile());
            assertTrue(c.peerTls().clientCertAuth());
            assertEquals("member", c.peerTls().allowedCn());
        } finally {
            java.nio.file.Files.delete(cert);
        }
    }

    @Test
    void autoTlsServesTheSelfSignedCertificateInTheDataDirAndAsksNoClientCertificate() throws Exception {
        ServerConfig c = ServerConfig.resolve(new String[] {"--data-dir", "/var/lib/m1", "--auto-tls", "--client-cert-auth",
            "--listen-client-urls", "https://127.0.0.1:2379", "--advertise-client-urls", "https://127.0.0.1:2379"}, Map.of(), Map.of());
        assertTrue(c.clientAutoTls());
        assertEquals("/var/lib/m1/fixtures/client/cert.pem", c.clientTls().certFile());
        assertEquals("/var/lib/m1/fixtures/client/key.pem", c.clientTls().keyFile());
        assertTrue(!c.clientTls().requiresClientCertificate());
    }

    @Test
    void givenCertificatesWinOverAutoTls() throws Exception {
        Path cert = java.nio.file.Files.createTempFile("client", ".crt");
        try {
            ServerConfig c = ServerConfig.resolve(new String[] {"--auto-tls", "--cert-file", cert.toString(), "--key-file",
                cert.toString()}, Map.of(), Map.of());
            assertTrue(!c.clientAutoTls());
            assertEquals(cert.toString(), c.clientTls().certFile());
        } finally {
            java.nio.file.Files.delete(cert);
        }
    }

    @Test
    void peerAutoTlsUsesTheSelfSignedCertificateInTheDataDirUnverified() throws Exception {
        String[] flags = java.util.stream.Stream.concat(java.util.Arrays.stream(HTTPS_PEER),
                java.util.stream.Stream.of("--data-dir", "/var/lib/m1", "--peer-auto-tls", "--peer-client-cert-auth")).toArray(String[]::new);
        ServerConfig c = ServerConfig.resolve(flags, Map.of(), Map.of());
        assertEquals("/var/lib/m1/fixtures/peer/cert.pem", c.peerTls().certFile());
        assertTrue(c.peerTls().selfSigned());
        assertTrue(!c.peerTls().clientCertAuth());
    }

    @Test
    void malformedUrlIsRefused() {
        assertThrows(ConfigException.class, () -> ServerConfig.resolve(
                new String[] {"--listen-peer-urls", "localhost"}, Map.of(), Map.of()));
    }

    @Test
    void atBootstrapANameMissingFromInitialClusterIsRefusedAsEtcdDoes() throws Exception {
        ServerConfig c = ServerConfig.resolve(
                new String[] {"--name", "n9", "--initial-cluster", "n1=http://127.0.0.1:2380"}, Map.of(), Map.of());
        ConfigException e = assertThrows(ConfigException.class, c::initialCluster);
        assertEquals("couldn't find local name \"n9\" in the initial cluster configuration", e.getMessage());
    }

    @Test
    void atBootstrapAdvertisedPeerUrlsMustBeThoseListedForThisMemberAsEtcdChecks() throws Exception {
        ServerConfig c = ServerConfig.resolve(new String[] {"--name", "n1",
                "--initial-cluster", "n1=http://127.0.0.1:23801,n2=http://127.0.0.1:23802",
                "--initial-advertise-peer-urls", "http://127.0.0.1:23809"}, Map.of(), Map.of());
        ConfigException e = assertThrows(ConfigException.class, c::initialCluster);
        // Real etcd 3.4 prints exactly this (after "etcdmain: ") for the same flags.
        assertEquals("--initial-cluster has n1=http://127.0.0.1:23801 but missing from --initial-advertise-peer-urls="
                + "http://127.0.0.1:23809 (resolved urls: \"http://127.0.0.1:23809\" != \"http://127.0.0.1:23801\")", e.getMessage());
    }

    @Test
    void atBootstrapTwoMembersSharingAPeerUrlAreRefusedAsEtcdDoes() throws Exception {
        ServerConfig c = ServerConfig.resolve(new String[] {"--name", "n1",
                "--initial-cluster", "n1=http://127.0.0.1:23801,n2=http://127.0.0.1:23801",
                "--initial-advertise-peer-urls", "http://127.0.0.1:23801"}, Map.of(), Map.of());
        ConfigException e = assertThrows(ConfigException.class, c::initialCluster);
        // Real etcd 3.4 prints exactly this (after "etcdmain: ") for the same flags.
        assertEquals("initial cluster n1=http://127.0.0.1:23801,n2=http://127.0.0.1:23801 has duplicate url", e.getMessage());
    }

    @Test
    void negativeQuotaDisablesItAndZeroMeansTheDefault() throws Exception {
        assertEquals(Long.MAX_VALUE, ServerConfig.resolve(new String[] {"--quota-backend-bytes=-1"}, Map.of(), Map.of()).quotaBackendBytes());
        assertEquals(ServerConfig.DEFAULT_QUOTA_BYTES, ServerConfig.resolve(new String[] {"--quota-backend-bytes=0"}, Map.of(), Map.of()).quotaBackendBytes());
    }

    @Test
    void autoCompactionRetentionIsParsedAsEtcdDoes() throws Exception {
        assertEquals(3_600_000L, ServerConfig.resolve(new String[] {"--auto-compaction-retention=1"}, Map.of(), Map.of()).autoCompactionRetention());
        assertEquals(5_400_000L, ServerConfig.resolve(new String[] {"--auto-compaction-retention=1h30m"}, Map.of(), Map.of()).autoCompactionRetention());
        assertEquals(1000L, ServerConfig.resolve(new String[] {"--auto-compaction-mode=revision", "--auto-compaction-retention=1000"}, Map.of(), Map.of()).autoCompactionRetention());
        assertEquals(0L, ServerConfig.defaults().autoCompactionRetention());
    }

    @Test
    void badAutoCompactionSettingsNameTheFlag() {
        ConfigException mode = assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--auto-compaction-mode=hourly"}, Map.of(), Map.of()));
        assertEquals("invalid value \"hourly\" for flag -auto-compaction-mode: valid values are \"periodic\" and \"revision\"", mode.getMessage());
        ConfigException retention = assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--auto-compaction-retention=soon"}, Map.of(), Map.of()));
        assertEquals("invalid value \"soon\" for flag -auto-compaction-retention: expected a duration such as 1h or 30m, or a number of hours", retention.getMessage());
    }

    @Test
    void storeSettingsComeFromTheirFlagsAndEnvironment() throws Exception {
        org.ketcd.mvcc.MvccOptions defaults = ServerConfig.defaults().storeOptions();
        assertEquals(org.ketcd.mvcc.MvccOptions.DEFAULT_VALUE_CACHE_BYTES, defaults.valueCacheBytes());
        assertEquals(org.ketcd.mvcc.MvccOptions.defaultMaxRangeResponseBytes(), defaults.maxRangeResponseBytes());
        assertEquals(1000, defaults.pageCachePages());
        org.ketcd.mvcc.MvccOptions set = ServerConfig.resolve(
                new String[] {"--experimental-value-cache-bytes", "1024", "--experimental-max-range-response-bytes=4096"},
                Map.of("ETCD_EXPERIMENTAL_DERBY_PAGE_CACHE_PAGES", "64"), Map.of()).storeOptions();
        assertEquals(new org.ketcd.mvcc.MvccOptions(1024, 4096, 64), set);
    }

    @Test
    void aDerbyPageCacheBelowDerbysMinimumIsRefusedNamingTheFlag() {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.resolve(
                new String[] {"--experimental-derby-page-cache-pages", "39"}, Map.of(), Map.of()));
        assertEquals("invalid value \"39\" for flag -experimental-derby-page-cache-pages: "
                + "Derby's page cache takes at least 40 pages", e.getMessage());
    }
}
