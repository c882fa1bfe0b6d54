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
    ENABLE_V2("enable-v2", "false", Kind.BOOL),
    LOGGER("logger", "capnslog", Kind.STRING),
    LOG_LEVEL("log-level", "info", Kind.STRING),
    DEBUG("debug", "false", Kind.BOOL),
    // Ketcd's own (etcd has no such flag)
    KARAF_FEATURES("karaf-features", "", Kind.FEATURES,
            "Ketcd: Karaf features to install once the member serves, comma separated, each name or name/version"),
    VALUE_CACHE_BYTES("experimental-value-cache-bytes", String.valueOf(org.ketcd.mvcc.MvccOptions.DEFAULT_VALUE_CACHE_BYTES), Kind.UINT,
            "Ketcd: bytes of recently written and read values kept on the heap; the others are read from Derby"),
    MAX_RANGE_RESPONSE_BYTES("experimental-max-range-response-bytes", "0", Kind.UINT,
            "Ketcd: the largest answer of a range or read-only txn (bytes of key-values); 0 = an eighth of the heap"),
    DERBY_PAGE_CACHE_PAGES("experimental-derby-page-cache-pages", String.valueOf(org.ketcd.mvcc.MvccOptions.DEFAULT_PAGE_CACHE_PAGES),
            Kind.UINT, "Ketcd: pages in Derby's page cache of the store (4 KiB for keys, 32 KiB for values), at least 40");

    enum Kind { STRING, URLS, UINT, INT, BOOL, FEATURES }

    final String flagName;
    final String defaultValue;
    final Kind kind;
    /** A line of explanation in the usage text, for flags that are not etcd's (null: none). */
    final String help;

    Flag(String flagName, String defaultValue, Kind kind) {
        this(flagName, defaultValue, kind, null);
    }

    Flag(String flagName, String defaultValue, Kind kind, String help) {
        this.flagName = flagName;
        this.defaultValue = defaultValue;
        this.kind = kind;
        this.help = help;
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
