package org.ketcd.server.config;

import java.util.List;
import java.util.Locale;

/**
 * One of etcd's flags as Ketcd accepts it. {@code defaultValue} is etcd's default (null: none).
 * {@code kind} decides how the value is checked. {@code help} describes it in the usage text: what it does in
 * Ketcd or, for an etcd flag without effect here, what it does in etcd ("etcd: ...") and why not here.
 */
enum Flag {
    NAME("name", "default", Kind.STRING, "This member's name: its entry in --initial-cluster and in `etcdctl member list`."),
    DATA_DIR("data-dir", null, Kind.STRING,
            "Directory of this member's data: member/ holds its identity, Raft log (member/wal) and Derby store (member/db)."),
    WAL_DIR("wal-dir", "", Kind.STRING,
            "etcd: a directory of its own for the write-ahead log. No effect in Ketcd: the Raft log is always in <data-dir>/member/wal."),
    LISTEN_CLIENT_URLS("listen-client-urls", "http://localhost:2379", Kind.URLS,
            "URLs to listen on for clients: etcd's v3 gRPC API and, on the same ports, HTTP/1.1 (the JSON gateway of the "
                    + "ketcd-rest feature). https URLs need --cert-file and --key-file (or --auto-tls)."),
    ADVERTISE_CLIENT_URLS("advertise-client-urls", "http://localhost:2379", Kind.URLS,
            "This member's client URLs as published in the member list for clients to reach it; required when "
                    + "--listen-client-urls is set."),
    LISTEN_PEER_URLS("listen-peer-urls", "http://localhost:2380", Kind.URLS,
            "URL to listen on for the other members (Raft and Ketcd's calls between members); of a list only the first is used."),
    INITIAL_ADVERTISE_PEER_URLS("initial-advertise-peer-urls", "http://localhost:2380", Kind.URLS,
            "This member's peer URLs as the other members reach it; must be its entry in --initial-cluster. With the "
                    + "cluster token they make the member ID. Read only when the data dir is new."),
    INITIAL_CLUSTER("initial-cluster", null, Kind.STRING,
            "The members of a new cluster, name=peer-URL pairs separated by commas. Read only when the data dir is new: "
                    + "a restarted member keeps its stored identity."),
    INITIAL_CLUSTER_STATE("initial-cluster-state", "new", Kind.STRING,
            "'new' bootstraps a new cluster; 'existing' joins a running one that `etcdctl member add` told of this member, "
                    + "found through the other members of --initial-cluster."),
    INITIAL_CLUSTER_TOKEN("initial-cluster-token", "etcd-cluster", Kind.STRING,
            "Token of a new cluster: the member and cluster IDs derive from it, so members of clusters bootstrapped with "
                    + "different tokens refuse each other."),
    SNAPSHOT_COUNT("snapshot-count", "100000", Kind.UINT,
            "Raft log entries between two snapshots of the state (Ratis' snapshot threshold). A snapshot purges the log but "
                    + "for its last 5000 entries (or this many, if fewer); a member missing purged entries fetches the leader's state."),
    HEARTBEAT_INTERVAL("heartbeat-interval", "100", Kind.UINT,
            "Milliseconds. --election-timeout must be at least 5 times it, and both set the shortest lease TTL (as in etcd). "
                    + "Ratis has no heartbeat setting: the leader sends one every quarter of --election-timeout."),
    ELECTION_TIMEOUT("election-timeout", "1000", Kind.UINT,
            "Milliseconds. A follower that hears from no leader for a random time between half of it and all of it "
                    + "starts an election (Ratis' timeouts); a leader that hears from no majority for that long steps down."),
    AUTO_COMPACTION_MODE("auto-compaction-mode", "periodic", Kind.STRING,
            "How --auto-compaction-retention is read: 'periodic' (a duration) or 'revision' (a number of revisions)."),
    AUTO_COMPACTION_RETENTION("auto-compaction-retention", "0", Kind.STRING,
            "History the leader keeps when it compacts by itself; 0: it never does. Periodic: a duration such as 30m or "
                    + "a number of hours. Revision: the revisions kept below the current one, compacted every 5 minutes."),
    QUOTA_BACKEND_BYTES("quota-backend-bytes", "0", Kind.INT,
            "Store size (Status' dbSize) in bytes past which writes are refused and the NOSPACE alarm is raised; 0: 2 GiB, "
                    + "below 0: no limit."),
    MAX_REQUEST_BYTES("max-request-bytes", "1572864", Kind.UINT,
            "Largest write in bytes (a larger one is refused: etcdserver: request is too large); gRPC takes messages "
                    + "of up to this plus 512 KiB."),
    MAX_TXN_OPS("max-txn-ops", "128", Kind.UINT, "Most operations in one transaction."),
    CERT_FILE("cert-file", "", Kind.STRING, "Certificate the https client URLs serve."),
    KEY_FILE("key-file", "", Kind.STRING, "Private key of --cert-file."),
    TRUSTED_CA_FILE("trusted-ca-file", "", Kind.STRING,
            "CA file: clients must show a certificate signed by it (as in etcd 3.4, also without --client-cert-auth)."),
    CLIENT_CERT_AUTH("client-cert-auth", "false", Kind.BOOL,
            "Require a client certificate signed by --trusted-ca-file; with auth enabled, a request without a token acts as "
                    + "the user named by its certificate's common name."),
    CLIENT_CRL_FILE("client-crl-file", "", Kind.STRING, "Refuse the client certificates this revocation list revokes."),
    AUTO_TLS("auto-tls", "false", Kind.BOOL,
            "Without --cert-file and --key-file: serve https client URLs with a self-signed certificate kept in "
                    + "<data-dir>/fixtures/client (clients must skip verifying it)."),
    PEER_CERT_FILE("peer-cert-file", "", Kind.STRING,
            "Certificate this member serves its https peer URL with and shows when it dials the other members."),
    PEER_KEY_FILE("peer-key-file", "", Kind.STRING, "Private key of --peer-cert-file."),
    PEER_TRUSTED_CA_FILE("peer-trusted-ca-file", "", Kind.STRING,
            "CA file the other members' certificates must chain to (empty: the JDK's trusted roots)."),
    PEER_CLIENT_CERT_AUTH("peer-client-cert-auth", "false", Kind.BOOL,
            "Check the certificate of a member dialing in as well (a certificate is always required; without this flag "
                    + "any is accepted)."),
    PEER_CERT_ALLOWED_CN("peer-cert-allowed-cn", "", Kind.STRING,
            "Common name every member's certificate must have (not with --peer-cert-allowed-hostname)."),
    PEER_CRL_FILE("peer-crl-file", "", Kind.STRING, "Refuse the member certificates this revocation list revokes."),
    PEER_AUTO_TLS("peer-auto-tls", "false", Kind.BOOL,
            "Without --peer-cert-file and --peer-key-file: self-signed certificates kept in <data-dir>/fixtures/peer; members "
                    + "encrypt their traffic but do not verify each other."),
    CIPHER_SUITES("cipher-suites", "", Kind.STRING,
            "TLS 1.2 cipher suites for clients and members, comma separated, in Go's names as etcd takes them; TLS 1.3's "
                    + "stay on. Empty: the JVM's defaults."),
    AUTH_TOKEN("auth-token", "simple", Kind.STRING,
            "Tokens Authenticate hands out: 'simple', or etcd's JWT with its options "
                    + "('jwt,pub-key=<file>,priv-key=<file>,sign-method=RS256,ttl=10m')."),
    AUTH_TOKEN_TTL("auth-token-ttl", "300", Kind.UINT, "Seconds a simple token lives unused."),
    BCRYPT_COST("bcrypt-cost", "10", Kind.UINT, "bcrypt's cost for users' password hashes, 4 to 31 (another value means 10)."),
    WATCH_PROGRESS_NOTIFY_INTERVAL("experimental-watch-progress-notify-interval", "10m", Kind.STRING,
            "How often a watcher that asked for progress notifications and got no events since is sent an empty "
                    + "response at the current revision."),
    DISCOVERY("discovery", "", Kind.STRING,
            "Instead of --initial-cluster: a token URL of etcd's v2 discovery service; the member registers there and waits "
                    + "until as many members as the token's size have registered. The URL is the cluster token."),
    DISCOVERY_FALLBACK("discovery-fallback", "proxy", Kind.STRING,
            "When the --discovery cluster is full, etcd stops ('exit') or runs as a v2 proxy ('proxy'). Ketcd has no v2 "
                    + "proxy: it stops either way, and with 'proxy' says so."),
    DISCOVERY_PROXY("discovery-proxy", "", Kind.STRING, "HTTP proxy (http://host:port) for the requests to --discovery."),
    DISCOVERY_SRV("discovery-srv", "", Kind.STRING,
            "Instead of --initial-cluster: a DNS domain whose _etcd-server-ssl._tcp and _etcd-server._tcp SRV records are the "
                    + "members; looked up in the system's DNS servers, or those in KETCD_DNS_SERVERS (host:port)."),
    DISCOVERY_SRV_NAME("discovery-srv-name", "", Kind.STRING,
            "Suffix of the SRV names --discovery-srv looks up: _etcd-server-<suffix>._tcp."),
    // etcd 3.6's v3 discovery
    DISCOVERY_TOKEN("discovery-token", "", Kind.STRING,
            "etcd 3.6's v3 discovery, with --discovery-endpoints: the token of the new cluster; it is the cluster token."),
    DISCOVERY_ENDPOINTS("discovery-endpoints", "", Kind.STRING,
            "Instead of --initial-cluster: client URLs of an etcd or Ketcd cluster; the member registers under "
                    + "/_etcd/registry/<token>/ there and waits until as many members as the token's size have registered (etcd 3.6)."),
    DISCOVERY_DIAL_TIMEOUT("discovery-dial-timeout", "2s", Kind.STRING, "How long to wait for a connection to --discovery-endpoints."),
    DISCOVERY_REQUEST_TIMEOUT("discovery-request-timeout", "5s", Kind.STRING,
            "How long to wait for each request to --discovery-endpoints."),
    LOGGER("logger", "capnslog", Kind.STRING,
            "etcd: 'zap' or 'capnslog'. No effect in Ketcd: it logs through Karaf's logging (etc/org.ops4j.pax.logging.cfg)."),
    LOG_LEVEL("log-level", "info", Kind.STRING,
            "The least level of Ketcd's own log lines: debug, info, warn, error, panic or fatal. The libraries inside "
                    + "log warnings and errors only (or less at a higher level); etc/org.ops4j.pax.logging.cfg has the rest."),
    DEBUG("debug", "false", Kind.BOOL,
            "Log at debug level: the same as --log-level=debug (etcd's older flag)."),
    // etcd 3.4's flags for the gRPC server of the client URLs
    GRPC_KEEPALIVE_MIN_TIME("grpc-keepalive-min-time", "5s", Kind.DURATION,
            "A client that pings its connection more often than this is disconnected."),
    GRPC_KEEPALIVE_INTERVAL("grpc-keepalive-interval", "2h", Kind.DURATION,
            "The member pings a client connection idle this long (0: never)."),
    GRPC_KEEPALIVE_TIMEOUT("grpc-keepalive-timeout", "20s", Kind.DURATION,
            "The member closes a client connection whose ping is not answered within this (0: never)."),
    MAX_CONCURRENT_STREAMS("max-concurrent-streams", "4294967295", Kind.UINT32,
            "Calls one client connection may have open at once; the JSON gateway counts as one connection."),
    CLIENT_CERT_ALLOWED_HOSTNAME("client-cert-allowed-hostname", "", Kind.STRING,
            "Host a client certificate must name among its subject alternative names."),
    PEER_CERT_ALLOWED_HOSTNAME("peer-cert-allowed-hostname", "", Kind.STRING,
            "Host every member's certificate must name among its subject alternative names (not with --peer-cert-allowed-cn)."),
    STRICT_RECONFIG_CHECK("strict-reconfig-check", "true", Kind.BOOL,
            "Refuse `member add` and `member remove` that would leave fewer started voters than a quorum (a cluster of one "
                    + "may always grow to two)."),
    EXPERIMENTAL_INITIAL_CORRUPT_CHECK("experimental-initial-corrupt-check", "false", Kind.BOOL,
            "Before serving, compare the hash of this member's key-value history with each peer's; a mismatch stops the start."),
    EXPERIMENTAL_CORRUPT_CHECK_TIME("experimental-corrupt-check-time", "0s", Kind.DURATION,
            "How often the leader compares its hash with each peer's (0s: never); a mismatch raises the CORRUPT alarm, which "
                    + "refuses writes until disarmed."),
    FORCE_NEW_CLUSTER("force-new-cluster", "false", Kind.BOOL,
            "Restart a member with data as the only member of its cluster (same IDs, all its data), when the cluster lost its "
                    + "quorum for good. Drop the flag afterwards: each start with it forces again."),
    // etcd 3.4's flags that have no effect in Ketcd: accepted, with a warning at start when given (Ignored's reason)
    ENABLE_PPROF("enable-pprof", "false", Kind.BOOL, "etcd: serve Go's runtime profiles at <client URL>/debug/pprof/.",
            new Ignored("a JVM has no Go profiler; use Java Flight Recorder: jcmd <pid> JFR.start")),
    CORS("cors", "*", Kind.STRING, "etcd: origins allowed for cross-origin (CORS) requests, comma separated.",
            new Ignored("the HTTP API sends no CORS headers")),
    HOST_WHITELIST("host-whitelist", "*", Kind.STRING, "etcd: Host headers accepted from HTTP clients when not secure.",
            new Ignored("the Host header is not checked")),
    LISTEN_METRICS_URLS("listen-metrics-urls", "", Kind.STRING,
            "More URLs to serve /metrics and the health endpoints (/health, /readyz, /livez) on, and nothing else; https ones "
                    + "with the client TLS settings. Comma separated; none by default."),
    METRICS("metrics", "basic", Kind.STRING,
            "Detail of /metrics: 'basic', or 'extensive' to add each gRPC method's handling-time histogram "
                    + "(grpc_server_handling_seconds)."),
    LOG_OUTPUTS("log-outputs", "default", Kind.STRING,
            "etcd: where the log goes, comma separated. Ketcd refuses values other than 'default', 'stderr' and 'stdout'.",
            new Ignored("bin/ketcd logs to standard output; Karaf's etc/org.ops4j.pax.logging.cfg routes the log")),
    LOG_OUTPUT("log-output", "default", Kind.STRING, "etcd: the older name of --log-outputs, refused alike.",
            new Ignored("bin/ketcd logs to standard output; Karaf's etc/org.ops4j.pax.logging.cfg routes the log")),
    LOG_PACKAGE_LEVELS("log-package-levels", "", Kind.STRING, "etcd: a log level per package ('etcdserver=DEBUG,...').",
            new Ignored("set logger levels in Karaf's etc/org.ops4j.pax.logging.cfg or with log:set")),
    MAX_SNAPSHOTS("max-snapshots", "5", Kind.UINT, "etcd: snapshot files kept (0: all).",
            new Ignored("Ratis keeps its own snapshot and log files")),
    MAX_WALS("max-wals", "5", Kind.UINT, "etcd: write-ahead log files kept (0: all).",
            new Ignored("Ratis keeps its own snapshot and log files")),
    PRE_VOTE("pre-vote", "false", Kind.BOOL, "etcd: run a pre-vote round before an election.",
            new Ignored("Ratis always runs a pre-vote before an election")),
    INITIAL_ELECTION_TICK_ADVANCE("initial-election-tick-advance", "true", Kind.BOOL,
            "etcd: fast-forward the election ticks at start for a quicker first election.",
            new Ignored("Ratis times elections itself; a single member elects itself at once")),
    BACKEND_BATCH_INTERVAL("backend-batch-interval", "0s", Kind.DURATION,
            "etcd: longest time before the backend commits its transaction.",
            new Ignored("the Derby store commits with each Raft batch")),
    BACKEND_BATCH_LIMIT("backend-batch-limit", "0", Kind.UINT, "etcd: most operations before the backend commits its transaction.",
            new Ignored("the Derby store commits with each Raft batch")),
    EXPERIMENTAL_BACKEND_BBOLT_FREELIST_TYPE("experimental-backend-bbolt-freelist-type", "array", Kind.STRING,
            "etcd: the kind of free list of its bbolt store, 'array' or 'map'.",
            new Ignored("the store is Derby, not bbolt")),
    EXPERIMENTAL_COMPACTION_BATCH_LIMIT("experimental-compaction-batch-limit", "1000", Kind.INT,
            "etcd: most revisions a compaction deletes in one batch.",
            new Ignored("compaction runs in batches of 1,000 keys")),
    EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT("experimental-enable-lease-checkpoint", "false", Kind.BOOL,
            "etcd: the leader records leases' remaining TTLs, so that a new leader does not renew long leases for good.",
            new Ignored("lease checkpoints are not implemented yet")),
    EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT_PERSIST("experimental-enable-lease-checkpoint-persist", "false", Kind.BOOL,
            "etcd: keep those remaining TTLs across restarts too.",
            new Ignored("lease checkpoints are not implemented yet")),
    ENABLE_V2("enable-v2", "false", Kind.BOOL, "etcd: serve the v2 API.",
            new Ignored("the v2 API is not served: Ketcd serves etcd's v3 API only")),
    EXPERIMENTAL_ENABLE_V2V3("experimental-enable-v2v3", "", Kind.STRING,
            "etcd: serve the v2 API from the v3 store under this prefix.",
            new Ignored("the v2 API is not served")),
    EXPERIMENTAL_PEER_SKIP_CLIENT_SAN_VERIFICATION("experimental-peer-skip-client-san-verification", "false", Kind.BOOL,
            "etcd: do not check that a member's client certificate names the address it dials from.",
            new Ignored("a member never checks that a peer's client certificate names the address it dials from")),
    EXPERIMENTAL_WARNING_APPLY_DURATION("experimental-warning-apply-duration", "100ms", Kind.DURATION,
            "etcd: log a warning for a request applied slower than this.",
            new Ignored("slow applies are not logged")),
    UNSAFE_NO_FSYNC("unsafe-no-fsync", "false", Kind.BOOL, "etcd: do not sync its files to disk (a crash may lose data).",
            new Ignored("the Raft log is always synced")),
    ENABLE_GRPC_GATEWAY("enable-grpc-gateway", "true", Kind.BOOL, "etcd: serve the JSON gateway (the v3 API over HTTP) on the client URLs.",
            new Ignored("the JSON gateway is served by the ketcd-rest feature; uninstall it to turn the gateway off")),
    PROXY("proxy", "off", Kind.STRING, "etcd: 'off', or run as a v2 proxy ('on', 'readonly'); Ketcd refuses 'on' and 'readonly'.",
            new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_FAILURE_WAIT("proxy-failure-wait", "5000", Kind.UINT, "etcd: milliseconds the v2 proxy holds a failed endpoint off.",
            new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_REFRESH_INTERVAL("proxy-refresh-interval", "30000", Kind.UINT, "etcd: milliseconds between the v2 proxy's endpoint refreshes.",
            new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_DIAL_TIMEOUT("proxy-dial-timeout", "1000", Kind.UINT, "etcd: milliseconds the v2 proxy waits for a connection.",
            new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_WRITE_TIMEOUT("proxy-write-timeout", "5000", Kind.UINT, "etcd: milliseconds the v2 proxy waits for a write.",
            new Ignored("Ketcd runs members only (no v2 proxy)")),
    PROXY_READ_TIMEOUT("proxy-read-timeout", "0", Kind.UINT, "etcd: milliseconds the v2 proxy waits for a read (0: no limit).",
            new Ignored("Ketcd runs members only (no v2 proxy)")),
    CONFIG_FILE("config-file", "", Kind.STRING,
            "etcd's YAML configuration file, each key a flag's name. When given, it replaces every other flag, ETCD_* variable and "
                    + "etc/org.ketcd.server.cfg setting; a key that names no flag is ignored with a warning."),
    // Ketcd's own (etcd has no such flag)
    KARAF_FEATURES("karaf-features", "", Kind.FEATURES,
            "Karaf features to install once the member serves, comma separated, each name or name/version."),
    VALUE_CACHE_BYTES("experimental-value-cache-bytes", String.valueOf(org.ketcd.mvcc.MvccOptions.DEFAULT_VALUE_CACHE_BYTES), Kind.UINT,
            "Bytes of recently written and read values kept on the heap; the others are read from Derby."),
    MAX_RANGE_RESPONSE_BYTES("experimental-max-range-response-bytes", "0", Kind.UINT,
            "The largest answer of a range or read-only txn (bytes of key-values); 0 = an eighth of the heap."),
    DERBY_PAGE_CACHE_PAGES("experimental-derby-page-cache-pages", String.valueOf(org.ketcd.mvcc.MvccOptions.DEFAULT_PAGE_CACHE_PAGES),
            Kind.UINT, "Pages in Derby's page cache of the store (4 KiB for keys, 32 KiB for values), at least 40.");

    enum Kind { STRING, URLS, UINT, UINT32, INT, BOOL, DURATION, FEATURES }

    /** Why an etcd flag has no effect in Ketcd: said in one warning line at start when the flag is given. */
    record Ignored(String reason) {
    }

    /**
     * The sections of the usage text: those of {@code etcd --help} (etcd 3.4) in its order, each with its flags in
     * etcd's order and the flags etcd accepts without listing them at the end; then Ketcd's own flags.
     */
    private enum Section {
        MEMBER("Member", null, NAME, DATA_DIR, WAL_DIR, SNAPSHOT_COUNT, HEARTBEAT_INTERVAL, ELECTION_TIMEOUT,
                INITIAL_ELECTION_TICK_ADVANCE, LISTEN_PEER_URLS, LISTEN_CLIENT_URLS, MAX_SNAPSHOTS, MAX_WALS, QUOTA_BACKEND_BYTES,
                BACKEND_BATCH_INTERVAL, BACKEND_BATCH_LIMIT, MAX_TXN_OPS, MAX_REQUEST_BYTES, MAX_CONCURRENT_STREAMS,
                GRPC_KEEPALIVE_MIN_TIME, GRPC_KEEPALIVE_INTERVAL, GRPC_KEEPALIVE_TIMEOUT, ENABLE_GRPC_GATEWAY, CONFIG_FILE),
        CLUSTERING("Clustering", null, INITIAL_ADVERTISE_PEER_URLS, INITIAL_CLUSTER, INITIAL_CLUSTER_STATE, INITIAL_CLUSTER_TOKEN,
                ADVERTISE_CLIENT_URLS, DISCOVERY, DISCOVERY_FALLBACK, DISCOVERY_PROXY, DISCOVERY_SRV, DISCOVERY_SRV_NAME,
                DISCOVERY_TOKEN, DISCOVERY_ENDPOINTS, DISCOVERY_DIAL_TIMEOUT, DISCOVERY_REQUEST_TIMEOUT, STRICT_RECONFIG_CHECK,
                PRE_VOTE, AUTO_COMPACTION_RETENTION, AUTO_COMPACTION_MODE, ENABLE_V2),
        SECURITY("Security", null, CERT_FILE, KEY_FILE, CLIENT_CERT_AUTH, CLIENT_CRL_FILE, CLIENT_CERT_ALLOWED_HOSTNAME,
                TRUSTED_CA_FILE, AUTO_TLS, PEER_CERT_FILE, PEER_KEY_FILE, PEER_CLIENT_CERT_AUTH, PEER_TRUSTED_CA_FILE,
                PEER_CERT_ALLOWED_CN, PEER_CERT_ALLOWED_HOSTNAME, PEER_AUTO_TLS, PEER_CRL_FILE, CIPHER_SUITES, CORS, HOST_WHITELIST),
        AUTH("Auth", null, AUTH_TOKEN, BCRYPT_COST, AUTH_TOKEN_TTL),
        PROFILING("Profiling and Monitoring", null, ENABLE_PPROF, METRICS, LISTEN_METRICS_URLS),
        LOGGING("Logging", null, LOGGER, LOG_OUTPUTS, LOG_LEVEL),
        V2_PROXY("v2 Proxy", null, PROXY, PROXY_FAILURE_WAIT, PROXY_REFRESH_INTERVAL, PROXY_DIAL_TIMEOUT, PROXY_WRITE_TIMEOUT,
                PROXY_READ_TIMEOUT),
        EXPERIMENTAL("Experimental feature", null, EXPERIMENTAL_INITIAL_CORRUPT_CHECK, EXPERIMENTAL_CORRUPT_CHECK_TIME,
                EXPERIMENTAL_ENABLE_V2V3, EXPERIMENTAL_BACKEND_BBOLT_FREELIST_TYPE, EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT,
                EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT_PERSIST, EXPERIMENTAL_COMPACTION_BATCH_LIMIT,
                EXPERIMENTAL_PEER_SKIP_CLIENT_SAN_VERIFICATION, WATCH_PROGRESS_NOTIFY_INTERVAL, EXPERIMENTAL_WARNING_APPLY_DURATION),
        UNSAFE("Unsafe feature", "Use unsafe flags with care: they can break what the consensus protocol guarantees.",
                FORCE_NEW_CLUSTER, UNSAFE_NO_FSYNC),
        DEPRECATED("TO BE DEPRECATED", null, DEBUG, LOG_PACKAGE_LEVELS, LOG_OUTPUT),
        KETCD("Ketcd (flags etcd does not have)", null, KARAF_FEATURES, VALUE_CACHE_BYTES, MAX_RANGE_RESPONSE_BYTES,
                DERBY_PAGE_CACHE_PAGES);

        final String title;
        /** A line after the section's flags (null: none). */
        final String note;
        final List<Flag> flags;

        Section(String title, String note, Flag... flags) {
            this.title = title;
            this.note = note;
            this.flags = List.of(flags);
        }
    }

    private static final String COMMANDS = """
            Usage:

              ketcd [flags]
                Start a Ketcd member. A flag can also be set as an ETCD_* environment variable (--my-flag is ETCD_MY_FLAG) \
            or as a key of etc/org.ketcd.server.cfg (my-flag = value); a flag beats the variable, which beats the cfg file. \
            Relative paths are taken from the directory ketcd is started in.

              ketcd --version
                Show the versions of Ketcd, of the etcd release whose API it serves, and of Java.

              ketcd -h | --help
                Show this help.

              ketcd --config-file <file>
                Start a member configured by etcd's YAML configuration file alone (see --config-file).

              ketcd snapshot restore <file> [flags]
                Make a new member's data dir from a snapshot file (see Snapshot).

              ketcd admin [--name <name>] [--data-dir <dir>] [--config-file <file>] [<command>]
                Run <command> in the Karaf shell of the running member of that data dir (found as a start finds it), \
            e.g. bundle:list, feature:list, log:display, bundle:update <id>; without <command>, open that shell. Over SSH \
            on loopback, with the member's own key (README "Operate a member: the Karaf shell").
            """;

    private static final String SNAPSHOT = """

            Snapshot:
              ketcd snapshot restore <file> [flags]
                Make the data dir of one member of a new cluster from <file>, a snapshot `etcdctl snapshot save` took from \
            a Ketcd member (etcd's snapshot files cannot be read), as `etcdctl snapshot restore` does for etcd. The \
            file's checksum is verified; a data dir that holds a member already is refused. Run it for each member of the new cluster with the same \
            file, then start each member with the same flags: the new cluster has the snapshot's keys and revisions \
            and a new Raft log.
                The flags, ETCD_* variables and etc/org.ketcd.server.cfg are read and checked as for a start; the restore uses:
                --name, --data-dir: the member to make, and where.
                --initial-cluster, --initial-cluster-token, --initial-advertise-peer-urls: the new cluster, checked as for \
            a new member; the member and cluster IDs derive from them.""";

    final String flagName;
    final String defaultValue;
    final Kind kind;
    /** What the flag does, one line of the usage text. */
    final String help;
    /** Null: the flag has its etcd meaning. */
    final Ignored ignored;

    Flag(String flagName, String defaultValue, Kind kind, String help) {
        this(flagName, defaultValue, kind, help, null);
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

    /** The default as the usage text shows it: a derived one in etcd's ${flag} notation. */
    String shownDefault() {
        return switch (this) {
            case DATA_DIR -> "${name}.etcd";
            case INITIAL_CLUSTER -> "${name}=${initial-advertise-peer-urls}";
            default -> defaultValue;
        };
    }

    /** etcd-style usage text: the commands, every flag with its default in etcd's sections, then snapshot restore. */
    static String usage() {
        StringBuilder b = new StringBuilder(COMMANDS);
        for (Section s : Section.values()) {
            b.append('\n').append(s.title).append(":\n");
            for (Flag f : s.flags) {
                b.append("  --").append(f.flagName).append(" '").append(f.shownDefault()).append("'\n");
                b.append("    ").append(f.help).append(" (env ").append(f.envName()).append(")\n");
                if (f.ignored != null) {
                    b.append("    Ketcd: accepted, no effect: ").append(f.ignored.reason()).append('\n');
                }
            }
            if (s.note != null) {
                b.append('\n').append(s.note).append('\n');
            }
        }
        return b.append(SNAPSHOT).toString();
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
