package org.ketcd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
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

    /** Every flag of `etcd --help` (etcd 3.4.23), each with the default etcd prints for it. */
    private static final String[] ETCD_34_FLAGS_WITH_DEFAULTS = {
        "--name=default", "--data-dir=d.etcd", "--wal-dir=", "--snapshot-count=100000", "--heartbeat-interval=100",
        "--election-timeout=1000", "--initial-election-tick-advance=true", "--listen-peer-urls=http://localhost:2380",
        "--listen-client-urls=http://localhost:2379", "--max-snapshots=5", "--max-wals=5", "--quota-backend-bytes=0",
        "--backend-batch-interval=0s", "--backend-batch-limit=0", "--max-txn-ops=128", "--max-request-bytes=1572864",
        "--grpc-keepalive-min-time=5s", "--grpc-keepalive-interval=2h", "--grpc-keepalive-timeout=20s",
        "--initial-advertise-peer-urls=http://localhost:2380", "--initial-cluster=default=http://localhost:2380",
        "--initial-cluster-state=new", "--initial-cluster-token=etcd-cluster", "--advertise-client-urls=http://localhost:2379",
        "--discovery=", "--discovery-fallback=proxy", "--discovery-proxy=", "--discovery-srv=", "--discovery-srv-name=",
        "--strict-reconfig-check=true", "--pre-vote=false", "--auto-compaction-retention=0",
        "--auto-compaction-mode=periodic", "--enable-v2=false", "--proxy=off", "--proxy-failure-wait=5000",
        "--proxy-refresh-interval=30000", "--proxy-dial-timeout=1000", "--proxy-write-timeout=5000", "--proxy-read-timeout=0",
        "--cert-file=", "--key-file=", "--client-cert-auth=false", "--client-crl-file=", "--client-cert-allowed-hostname=",
        "--trusted-ca-file=", "--auto-tls=false", "--peer-cert-file=", "--peer-key-file=", "--peer-client-cert-auth=false",
        "--peer-trusted-ca-file=", "--peer-cert-allowed-cn=", "--peer-cert-allowed-hostname=", "--peer-auto-tls=false",
        "--peer-crl-file=", "--cipher-suites=", "--cors=*", "--host-whitelist=*", "--auth-token=simple",
        "--bcrypt-cost=10", "--auth-token-ttl=300", "--enable-pprof=false", "--metrics=basic", "--listen-metrics-urls=",
        "--logger=capnslog", "--log-outputs=default", "--log-level=info", "--debug=false", "--log-package-levels=",
        "--experimental-initial-corrupt-check=false", "--experimental-corrupt-check-time=0s",
        "--experimental-enable-v2v3=", "--experimental-enable-lease-checkpoint=false",
        "--experimental-compaction-batch-limit=1000", "--experimental-peer-skip-client-san-verification=false",
        "--experimental-watch-progress-notify-interval=10m", "--experimental-warning-apply-duration=100ms",
        "--experimental-backend-bbolt-freelist-type=array", "--max-concurrent-streams=4294967295",
        "--experimental-enable-lease-checkpoint-persist=false", "--unsafe-no-fsync=false", "--enable-grpc-gateway=true",
        "--log-output=default"};

    @Test
    void everyFlagOfEtcd34IsAcceptedAndItsDefaultsWarnOfNothing() throws Exception {
        ServerConfig c = ServerConfig.resolve(ETCD_34_FLAGS_WITH_DEFAULTS, Map.of(), Map.of());
        assertEquals(List.of(), c.ignoredFlagWarnings());
        assertEquals(org.ketcd.api.ClientGrpcSettings.ETCD_DEFAULTS, c.clientGrpcSettings());
    }

    @Test
    void aFlagWithoutEffectInKetcdIsNamedInOneWarningWithItsReason() throws Exception {
        ServerConfig c = ServerConfig.resolve(new String[] {"--experimental-enable-lease-checkpoint", "--max-wals=5",
            "--enable-pprof=1", "--experimental-corrupt-check-time=1m", "--force-new-cluster"}, Map.of("ETCD_PRE_VOTE", "true"),
                Map.of());
        List<String> warnings = c.ignoredFlagWarnings();
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.contains("flag --experimental-enable-lease-checkpoint=true has no effect in Ketcd: "
                + "lease checkpoints are not implemented yet"), warnings.toString());
        assertTrue(c.forceNewCluster(), "--force-new-cluster has its meaning: no warning");
        assertEquals(60_000, c.corruptCheckIntervalMs(), "--experimental-corrupt-check-time has its meaning: no warning");
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("flag --pre-vote=true has no effect in Ketcd: ")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("flag --enable-pprof=true ")), warnings.toString());
    }

    @Test
    void metricsUrlsAreParsedLikeEveryUrlFlagAndAnHttpsOneNeedsTheClientCertificate() throws Exception {
        assertEquals(List.of(), ServerConfig.resolve(new String[0], Map.of(), Map.of()).listenMetricsUrls());
        ServerConfig c = ServerConfig.resolve(new String[0], Map.of("ETCD_LISTEN_METRICS_URLS",
                "http://127.0.0.1:2381,http://[::1]:2381"), Map.of());
        assertEquals(List.of(java.net.URI.create("http://127.0.0.1:2381"), java.net.URI.create("http://[::1]:2381")),
                c.listenMetricsUrls());
        assertTrue(refused("--listen-metrics-urls=foo").startsWith("invalid value \"foo\" for flag -listen-metrics-urls: "),
                refused("--listen-metrics-urls=foo"));
        ConfigException noCertificate = assertThrows(ConfigException.class, () -> ServerConfig.resolve(
                new String[] {"--listen-metrics-urls=https://127.0.0.1:2381"}, Map.of(), Map.of()));
        assertEquals("cannot listen on TLS for 127.0.0.1:2381: KeyFile and CertFile are not presented", noCertificate.getMessage());
        assertEquals(1, noCertificate.exitStatus());
    }

    @Test
    void metricsExtensiveTurnsOnTheGrpcHandlingTimeHistogramsAndAnyOtherValueDoesNotAsInEtcd() throws Exception {
        assertTrue(ServerConfig.resolve(new String[] {"--metrics=extensive"}, Map.of(), Map.of()).clientGrpcSettings()
                .handlingTimeHistograms());
        assertFalse(ServerConfig.resolve(new String[0], Map.of(), Map.of()).clientGrpcSettings().handlingTimeHistograms());
        assertFalse(ServerConfig.resolve(new String[] {"--metrics=bogus"}, Map.of(), Map.of()).clientGrpcSettings()
                .handlingTimeHistograms());
        assertEquals(ServerConfig.resolve(new String[] {"--metrics=extensive"}, Map.of(), Map.of()).clientGrpcSettings(),
                org.ketcd.api.ClientGrpcSettings.fromProperties(ServerConfig.resolve(new String[] {"--metrics=extensive"},
                        Map.of(), Map.of()).clientGrpcSettings().toProperties()), "through the service properties");
    }

    @Test
    void grpcKeepaliveAndStreamFlagsReachTheClientPortSettings() throws Exception {
        ServerConfig c = ServerConfig.resolve(new String[] {"--grpc-keepalive-min-time=1.5s", "--grpc-keepalive-interval=0",
            "--grpc-keepalive-timeout=1m30s", "--max-concurrent-streams=100"}, Map.of(), Map.of());
        assertEquals(new org.ketcd.api.ClientGrpcSettings(1_500, 0, 90_000, 100, false), c.clientGrpcSettings());
    }

    @Test
    void badFlagValuesGetEtcdsMessages() {
        assertEquals("invalid boolean value \"maybe\" for -strict-reconfig-check: parse error", refused("--strict-reconfig-check=maybe"));
        assertEquals("invalid value \"abc\" for flag -grpc-keepalive-min-time: parse error", refused("--grpc-keepalive-min-time=abc"));
        assertEquals("invalid value \"5000000000\" for flag -max-concurrent-streams: strconv.ParseUint: parsing \"5000000000\": "
                + "value out of range", refused("--max-concurrent-streams=5000000000"));
        assertEquals("invalid value \"-1\" for flag -max-concurrent-streams: strconv.ParseUint: parsing \"-1\": invalid syntax",
                refused("--max-concurrent-streams=-1"));
        assertEquals("invalid value \"bogus\" for flag -proxy: invalid value", refused("--proxy=bogus"));
        assertEquals("error verifying flags, unknown log-output \"bogus\" (only supports \"default\", \"stderr\", \"stdout\")."
                + " See 'etcd --help'.", refused("--log-outputs=bogus"));
    }

    @Test
    void goBooleanSpellingsAreAccepted() throws Exception {
        assertTrue(ServerConfig.resolve(new String[] {"--auto-tls=T"}, Map.of(), Map.of()).autoTls());
        assertTrue(!ServerConfig.resolve(new String[] {"--auto-tls=0"}, Map.of(), Map.of()).autoTls());
    }

    @Test
    void aCipherSuiteEtcdDoesNotKnowStopsTheStartWithEtcdsErrorAndStatusOne() {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.resolve(
                new String[] {"--cipher-suites=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_FOO"}, Map.of(), Map.of()));
        assertEquals("unexpected TLS cipher suite \"TLS_FOO\"", e.getMessage());
        assertEquals(1, e.exitStatus());
    }

    @Test
    void aV2ProxyIsRefusedRatherThanIgnored() {
        assertTrue(refused("--proxy=on").startsWith("--proxy on: the v2 proxy is not supported"));
    }

    @Test
    void etcdsYamlConfigFileSetsTheFlagsAndReplacesEveryOtherFlagAndVariable(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("etcd.conf.yml");
        Files.writeString(file, String.join("\n",
                "# etcd.conf.yml.sample's shape",
                "name: 'from-file'",
                "data-dir: " + dir.resolve("data"),
                "wal-dir:",
                "snapshot-count: 777",
                "heartbeat-interval: 50",
                "election-timeout: 500",
                "listen-client-urls: http://127.0.0.1:23001",
                "advertise-client-urls: http://127.0.0.1:23001",
                "listen-peer-urls: http://127.0.0.1:23002",
                "initial-advertise-peer-urls: http://127.0.0.1:23002",
                "initial-cluster:",
                "strict-reconfig-check: false",
                "grpc-keepalive-min-time: 2000000000",
                "log-outputs: [stderr]",
                "peer-transport-security:",
                "  auto-tls: true",
                "  client-cert-auth: false",
                "  cert-file:",
                "no-such-flag: 1",
                ""));
        ServerConfig config = ServerConfig.resolve(new String[] {"--config-file", file.toString(), "--name", "from-flag"},
                Map.of("ETCD_SNAPSHOT_COUNT", "5"), Map.of());
        assertEquals("from-file", config.name());
        assertEquals(dir.resolve("data"), config.dataDir());
        assertEquals(777, config.snapshotCount(), "ETCD_SNAPSHOT_COUNT is ignored, as by etcd");
        assertEquals(50, config.heartbeatIntervalMs());
        assertEquals(List.of(URI.create("http://127.0.0.1:23001")), config.listenClientUrls());
        assertEquals(false, config.strictReconfigCheck());
        assertEquals(2_000, config.clientGrpcSettings().keepaliveMinTimeMs(), "a number for a duration is nanoseconds");
        assertTrue(config.peerAutoTls());
        assertEquals(Map.of("from-file", List.of(URI.create("http://127.0.0.1:23002"))), config.initialCluster(),
                "an empty value keeps the default");
        assertTrue(config.configFileNote().startsWith("Loading server configuration from \"" + file + "\"."));
        assertTrue(config.ignoredFlagWarnings().contains("--config-file: unknown key no-such-flag ignored"),
                config.ignoredFlagWarnings().toString());
    }

    @Test
    void etcdConfigFileVariableNamesTheFileAndARelativePathIsTheWorkingDirectorys(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("c.yml"), "name: by-variable\n");
        ServerConfig config = ServerConfig.resolve(new String[0], Map.of("ETCD_CONFIG_FILE", "c.yml"), Map.of(), dir);
        assertEquals("by-variable", config.name());
        assertEquals(dir.resolve("by-variable.etcd"), config.dataDir());
    }

    @Test
    void aConfigFileEtcdCannotUseStopsTheStartWithEtcdsWordsAndStatusOne(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--config-file", dir + "/none.yml"}, Map.of(), Map.of()));
        assertEquals("error verifying flags, open " + dir + "/none.yml: no such file or directory. See 'etcd --help'.",
                missing.getMessage());
        assertEquals(1, missing.exitStatus());
        Files.writeString(dir.resolve("bad.yml"), "name: [a\n");
        ConfigException bad = assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--config-file", dir + "/bad.yml"}, Map.of(), Map.of()));
        assertTrue(bad.getMessage().startsWith("error verifying flags, error converting YAML to JSON: yaml: "), bad.getMessage());
        assertEquals(1, bad.exitStatus());
        Files.writeString(dir.resolve("value.yml"), "heartbeat-interval: abc\n");
        assertEquals(2, assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--config-file", dir + "/value.yml"}, Map.of(), Map.of())).exitStatus(),
                "a bad value in the file is refused as the same value in a flag");
    }

    @Test
    void allowedCommonNameAndHostnameTogetherAreRefusedWithEtcdsMessage() {
        assertEquals("AllowedCN and AllowedHostname are mutually exclusive (cn=\"m\", hostname=\"h\")",
                refused("--peer-cert-allowed-cn=m", "--peer-cert-allowed-hostname=h"));
    }

    private static String refused(String... flags) {
        return assertThrows(ConfigException.class, () -> ServerConfig.resolve(flags, Map.of(), Map.of())).getMessage();
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
    void logLevelSetsKetcdsLevelAndKeepsLibrariesAtWarnOrAbove() throws Exception {
        assertEquals(LogLevel.INFO, ServerConfig.defaults().logLevel());
        LogLevel debug = ServerConfig.resolve(new String[] {"--log-level=debug"}, Map.of(), Map.of()).logLevel();
        assertEquals("DEBUG", debug.log4jLevel());
        assertEquals("WARN", debug.libraryLog4jLevel());
        LogLevel error = ServerConfig.resolve(new String[0], Map.of("ETCD_LOG_LEVEL", "error"), Map.of()).logLevel();
        assertEquals("ERROR", error.log4jLevel());
        assertEquals("ERROR", error.libraryLog4jLevel());
        assertEquals("FATAL", ServerConfig.resolve(new String[] {"--log-level=panic"}, Map.of(), Map.of()).logLevel().libraryLog4jLevel());
        assertEquals(LogLevel.DEBUG, ServerConfig.resolve(new String[] {"--debug"}, Map.of(), Map.of()).logLevel());
    }

    @Test
    void anUnknownLogLevelIsRefusedAsEtcdRefusesIt() {
        for (String level : new String[] {"bogus", "INFO", ""}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ServerConfig.resolve(new String[] {"--log-level=" + level}, Map.of(), Map.of()));
            assertEquals("invalid value \"" + level + "\" for flag -log-level: unknown level \"" + level
                    + "\" (debug, info, warn, error, panic or fatal)", e.getMessage());
            assertEquals(2, e.exitStatus());
        }
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

    @Test
    void relativePathsInFlagsAreRelativeToTheDirectoryKetcdWasStartedIn(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path started = Files.createDirectories(dir.resolve("srv/etcd"));
        Path cert = Files.writeString(Files.createDirectories(started.resolve("tls")).resolve("server.crt"), "x");
        Path key = Files.writeString(dir.resolve("server.key"), "x");
        ServerConfig c = ServerConfig.resolve(new String[] {"--data-dir", "d1", "--cert-file", "tls/server.crt",
            "--key-file", key.toString(), "--wal-dir", "../wal"}, Map.of(), Map.of(), started);
        assertEquals(started.resolve("d1"), c.dataDir());
        assertEquals(cert.toString(), c.get("cert-file"));
        assertEquals(key.toString(), c.get("key-file"), "an absolute path stays as given");
        assertEquals(dir.resolve("srv/wal").toString(), c.get("wal-dir"));
        // the JWT keys of --auth-token are read at once: both must resolve to the files
        pem(dir, "jwt.crt", "req", "-new", "-x509", "-key", "KEY", "-subj", "/CN=jwt", "-days", "1");
        ServerConfig jwt = ServerConfig.resolve(new String[] {"--auth-token", "jwt,pub-key=jwt.crt,priv-key=jwt.key,sign-method=RS256"},
            Map.of(), Map.of(), dir);
        assertEquals("jwt,pub-key=" + dir.resolve("jwt.crt") + ",priv-key=" + dir.resolve("jwt.key") + ",sign-method=RS256",
            jwt.get("auth-token"));
    }

    /** Writes an RSA key (jwt.key) and, from it, {@code name} with openssl {@code args} (KEY: the key file). */
    private static Path pem(Path dir, String name, String... args) throws Exception {
        Path key = dir.resolve("jwt.key");
        assertEquals(0, new ProcessBuilder("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048")
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start().waitFor());
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        for (String a : args) {
            cmd.add(a.equals("KEY") ? key.toString() : a);
        }
        cmd.addAll(List.of("-out", dir.resolve(name).toString()));
        assertEquals(0, new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile())
                .start().waitFor());
        return dir.resolve(name);
    }
}
