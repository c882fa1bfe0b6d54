package org.ketcd.server.config;

import java.util.Locale;

/**
 * One of etcd's flags as Ketcd accepts it. {@code defaultValue} is etcd's default (null: none).
 * {@code kind} decides how the value is checked.
 */
enum Flag {
    NAME("name", "default", Kind.STRING),
    DATA_DIR("data-dir", null, Kind.STRING),
    WAL_DIR("wal-dir", "", Kind.STRING),
    LISTEN_CLIENT_URLS("listen-client-urls", "http://localhost:2379", Kind.URLS),
    ADVERTISE_CLIENT_URLS("advertise-client-urls", "http://localhost:2379", Kind.URLS),
    LISTEN_PEER_URLS("listen-peer-urls", "http://localhost:2380", Kind.URLS),
    INITIAL_ADVERTISE_PEER_URLS("initial-advertise-peer-urls", "http://localhost:2380", Kind.URLS),
    INITIAL_CLUSTER("initial-cluster", null, Kind.STRING),
    INITIAL_CLUSTER_STATE("initial-cluster-state", "new", Kind.STRING),
    INITIAL_CLUSTER_TOKEN("initial-cluster-token", "etcd-cluster", Kind.STRING),
    SNAPSHOT_COUNT("snapshot-count", "100000", Kind.UINT),
    HEARTBEAT_INTERVAL("heartbeat-interval", "100", Kind.UINT),
    ELECTION_TIMEOUT("election-timeout", "1000", Kind.UINT),
    AUTO_COMPACTION_MODE("auto-compaction-mode", "periodic", Kind.STRING),
    AUTO_COMPACTION_RETENTION("auto-compaction-retention", "0", Kind.STRING),
    QUOTA_BACKEND_BYTES("quota-backend-bytes", "0", Kind.INT),
    MAX_REQUEST_BYTES("max-request-bytes", "1572864", Kind.UINT),
    MAX_TXN_OPS("max-txn-ops", "128", Kind.UINT),
    CERT_FILE("cert-file", "", Kind.STRING),
    KEY_FILE("key-file", "", Kind.STRING),
    TRUSTED_CA_FILE("trusted-ca-file", "", Kind.STRING),
    CLIENT_CERT_AUTH("client-cert-auth", "false", Kind.BOOL),
    CLIENT_CRL_FILE("client-crl-file", "", Kind.STRING),
    AUTO_TLS("auto-tls", "false", Kind.BOOL),
    PEER_CERT_FILE("peer-cert-file", "", Kind.STRING),
    PEER_KEY_FILE("peer-key-file", "", Kind.STRING),
    PEER_TRUSTED_CA_FILE("peer-trusted-ca-file", "", Kind.STRING),
    PEER_CLIENT_CERT_AUTH("peer-client-cert-auth", "false", Kind.BOOL),
    PEER_CERT_ALLOWED_CN("peer-cert-allowed-cn", "", Kind.STRING),
    PEER_CRL_FILE("peer-crl-file", "", Kind.STRING),
    PEER_AUTO_TLS("peer-auto-tls", "false", Kind.BOOL),
    CIPHER_SUITES("cipher-suites", "", Kind.STRING),
    AUTH_TOKEN("auth-token", "simple", Kind.STRING),
    AUTH_TOKEN_TTL("auth-token-ttl", "300", Kind.UINT),
    BCRYPT_COST("bcrypt-cost", "10", Kind.UINT),
    WATCH_PROGRESS_NOTIFY_INTERVAL("experimental-watch-progress-notify-interval", "10m", Kind.STRING),
    DISCOVERY("discovery", "", Kind.STRING),
    DISCOVERY_FALLBACK("discovery-fallback", "proxy", Kind.STRING),
    DISCOVERY_PROXY("discovery-proxy", "", Kind.STRING),
    DISCOVERY_SRV("discovery-srv", "", Kind.STRING),
    DISCOVERY_SRV_NAME("discovery-srv-name", "", Kind.STRING),
    // etcd 3.6's v3 discovery
    DISCOVERY_TOKEN("discovery-token", "", Kind.STRING),
    DISCOVERY_ENDPOINTS("discovery-endpoints", "", Kind.STRING),
    DISCOVERY_DIAL_TIMEOUT("discovery-dial-timeout", "2s", Kind.STRING),
    DISCOVERY_REQUEST_TIMEOUT("discovery-request-timeout", "5s", Kind.STRING),
    LOGGER("logger", "capnslog", Kind.STRING),
    LOG_LEVEL("log-level", "info", Kind.STRING),
    DEBUG("debug", "false", Kind.BOOL),
    // etcd 3.4's flags for the gRPC server of the client URLs
    GRPC_KEEPALIVE_MIN_TIME("grpc-keepalive-min-time", "5s", Kind.DURATION),
    GRPC_KEEPALIVE_INTERVAL("grpc-keepalive-interval", "2h", Kind.DURATION),
    GRPC_KEEPALIVE_TIMEOUT("grpc-keepalive-timeout", "20s", Kind.DURATION),
    MAX_CONCURRENT_STREAMS("max-concurrent-streams", "4294967295", Kind.UINT32),
    CLIENT_CERT_ALLOWED_HOSTNAME("client-cert-allowed-hostname", "", Kind.STRING),
    PEER_CERT_ALLOWED_HOSTNAME("peer-cert-allowed-hostname", "", Kind.STRING),
    STRICT_RECONFIG_CHECK("strict-reconfig-check", "true", Kind.BOOL),
    EXPERIMENTAL_INITIAL_CORRUPT_CHECK("experimental-initial-corrupt-check", "false", Kind.BOOL),
    EXPERIMENTAL_CORRUPT_CHECK_TIME("experimental-corrupt-check-time", "0s", Kind.DURATION),
    FORCE_NEW_CLUSTER("force-new-cluster", "false", Kind.BOOL),
    // etcd 3.4's flags that have no effect in Ketcd: accepted, with a warning at start when given (Ignored's reason)
    ENABLE_PPROF("enable-pprof", "false", Kind.BOOL,
            new Ignored("a JVM has no Go profiler; use Java Flight Recorder: jcmd <pid> JFR.start")),
    CORS("cors", "*", Kind.STRING, new Ignored("the HTTP API sends no CORS headers")),
    HOST_WHITELIST("host-whitelist", "*", Kind.STRING, new Ignored("the Host header is not checked")),
    LISTEN_METRICS_URLS("listen-metrics-urls", "", Kind.STRING, new Ignored("metrics are not served yet")),
    METRICS("metrics", "basic", Kind.STRING, new Ignored("metrics are not served yet")),
    LOG_OUTPUTS("log-outputs", "default", Kind.STRING,
            new Ignored("bin/ketcd logs to standard output; Karaf's etc/org.ops4j.pax.logging.cfg routes the log")),
    LOG_OUTPUT("log-output", "default", Kind.STRING,
            new Ignored("bin/ketcd logs to standard output; Karaf's etc/org.ops4j.pax.logging.cfg routes the log")),
    LOG_PACKAGE_LEVELS("log-package-levels", "", Kind.STRING,
            new Ignored("set logger levels in Karaf's etc/org.ops4j.pax.logging.cfg or with log:set")),
    MAX_SNAPSHOTS("max-snapshots", "5", Kind.UINT, new Ignored("Ratis keeps its own snapshot and log files")),
    MAX_WALS("max-wals", "5", Kind.UINT, new Ignored("Ratis keeps its own snapshot and log files")),
    PRE_VOTE("pre-vote", "false", Kind.BOOL, new Ignored("Ratis always runs a pre-vote before an election")),
    INITIAL_ELECTION_TICK_ADVANCE("initial-election-tick-advance", "true", Kind.BOOL,
            new Ignored("Ratis times elections itself; a single member elects itself at once")),
    BACKEND_BATCH_INTERVAL("backend-batch-interval", "0s", Kind.DURATION,
            new Ignored("the Derby store commits with each Raft batch")),
    BACKEND_BATCH_LIMIT("backend-batch-limit", "0", Kind.UINT, new Ignored("the Derby store commits with each Raft batch")),
    EXPERIMENTAL_BACKEND_BBOLT_FREELIST_TYPE("experimental-backend-bbolt-freelist-type", "array", Kind.STRING,
            new Ignored("the store is Derby, not bbolt")),
    EXPERIMENTAL_COMPACTION_BATCH_LIMIT("experimental-compaction-batch-limit", "1000", Kind.INT,
            new Ignored("compaction runs in batches of 1,000 keys")),
    EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT("experimental-enable-lease-checkpoint", "false", Kind.BOOL,
            new Ignored("lease checkpoints are not implemented yet")),
    EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT_PERSIST("experimental-enable-lease-checkpoint-persist", "false", Kind.BOOL,
            new Ignored("lease checkpoints are not implemented yet")),
    ENABLE_V2("enable-v2", "false", Kind.BOOL, new Ignored("the v2 API is not served: Ketcd serves etcd's v3 API only")),
    EXPERIMENTAL_ENABLE_V2V3("experimental-enable-v2v3", "", Kind.STRING, new Ignored("the v2 API is not served")),
    EXPERIMENTAL_PEER_SKIP_CLIENT_SAN_VERIFICATION("experimental-peer-skip-client-san-verification", "false", Kind.BOOL,
            new Ignored("a member never checks that a peer's client certificate names the address it dials from")),
    EXPERIMENTAL_WARNING_APPLY_DURATION("experimental-warning-apply-duration", "100ms", Kind.DURATION,
            new Ignored("slow applies are not logged")),
    UNSAFE_NO_FSYNC("unsafe-no-fsync", "false", Kind.BOOL, new Ignored("the Raft log is always synced")),
    ENABLE_GRPC_GATEWAY("enable-grpc-gateway", "true", Kind.BOOL,
            new Ignored("the JSON gateway is served by the ketcd-rest feature; uninstall it to turn the gateway off")),
    PROXY("proxy", "off", Kind.STRING, new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_FAILURE_WAIT("proxy-failure-wait", "5000", Kind.UINT, new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_REFRESH_INTERVAL("proxy-refresh-interval", "30000", Kind.UINT, new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_DIAL_TIMEOUT("proxy-dial-timeout", "1000", Kind.UINT, new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_WRITE_TIMEOUT("proxy-write-timeout", "5000", Kind.UINT, new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_READ_TIMEOUT("proxy-read-timeout", "0", Kind.UINT, new Ignored("Ketcd runs members only (no v2 proxy)")),
    CONFIG_FILE("config-file", "", Kind.STRING),
    // Ketcd's own (etcd has no such flag)
    KARAF_FEATURES("karaf-features", "", Kind.FEATURES,
            "Ketcd: Karaf features to install once the member serves, comma separated, each name or name/version"),
    VALUE_CACHE_BYTES("experimental-value-cache-bytes", String.valueOf(org.ketcd.mvcc.MvccOptions.DEFAULT_VALUE_CACHE_BYTES), Kind.UINT,
            "Ketcd: bytes of recently written and read values kept on the heap; the others are read from Derby"),
    MAX_RANGE_RESPONSE_BYTES("experimental-max-range-response-bytes", "0", Kind.UINT,
            "Ketcd: the largest answer of a range or read-only txn (bytes of key-values); 0 = an eighth of the heap"),
    DERBY_PAGE_CACHE_PAGES("experimental-derby-page-cache-pages", String.valueOf(org.ketcd.mvcc.MvccOptions.DEFAULT_PAGE_CACHE_PAGES),
            Kind.UINT, "Ketcd: pages in Derby's page cache of the store (4 KiB for keys, 32 KiB for values), at least 40");

    enum Kind { STRING, URLS, UINT, UINT32, INT, BOOL, DURATION, FEATURES }

    /** Why an etcd flag has no effect in Ketcd: said in one warning line at start when the flag is given. */
    record Ignored(String reason) {
    }

    final String flagName;
    final String defaultValue;
    final Kind kind;
    /** A line of explanation in the usage text, for flags that are not etcd's (null: none). */
    final String help;
    /** Null: the flag has its etcd meaning. */
    final Ignored ignored;

    Flag(String flagName, String defaultValue, Kind kind) {
        this(flagName, defaultValue, kind, null, null);
    }

    Flag(String flagName, String defaultValue, Kind kind, String help) {
        this(flagName, defaultValue, kind, help, null);
    }

    Flag(String flagName, String defaultValue, Kind kind, Ignored ignored) {
        this(flagName, defaultValue, kind, null, ignored);
    }

    Flag(String flagName, String defaultValue, Kind kind, String help, Ignored ignored) {
        this.flagName = flagName;
        this.defaultValue = defaultValue;
        this.kind = kind;
        this.help = help;
        this.ignored = ignored;
    }

    /** etcd's environment variable for the flag: --my-flag is ETCD_MY_FLAG. */
    String envName() {
        return "ETCD_" + flagName.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** etcd-style usage text: every flag with its default. */
    static String usage() {
        StringBuilder b = new StringBuilder("Usage:\n\n  ketcd [flags]\n\n  Start a Ketcd member (etcd's flags, ETCD_* environment, etc/org.ketcd.server.cfg).\n\nFlags:\n");
        for (Flag f : values()) {
            b.append("  --").append(f.flagName);
            if (f.defaultValue != null) {
                b.append(" '").append(f.defaultValue).append('\'');
            }
            b.append('\n');
            if (f.help != null) {
                b.append("      ").append(f.help).append(" (env ").append(f.envName()).append(")\n");
            }
            if (f.ignored != null) {
                b.append("      Ketcd: accepted, no effect: ").append(f.ignored.reason()).append('\n');
            }
        }
        return b.append("  --version\n  --help").toString();
    }

    static Flag byName(String name) {
        for (Flag f : values()) {
            if (f.flagName.equals(name)) {
                return f;
            }
        }
        return null;
    }
}
