package org.ketcd.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ketcd.api.DiscoveryKeyspace;

/**
 * A member's configuration from etcd's flags. Precedence as the design fixes it: built-in default
 * &lt; {@code etc/org.ketcd.server.cfg} &lt; {@code ETCD_*} environment &lt; command-line flag. Any
 * unknown flag or bad value fails with a one-line message naming it.
 */
public final class ServerConfig {
    /**
     * The etcd release whose API and behaviour Ketcd matches, reported where etcd reports its own
     * version: Status, the gateway's /version (whose cluster version is its major.minor.0) and --version.
     */
    public static final String ETCD_VERSION = "3.4.23";

    /** etcd's default backend quota when --quota-backend-bytes is 0: 2 GiB. */
    public static final long DEFAULT_QUOTA_BYTES = 2L * 1024 * 1024 * 1024;

    private final Map<Flag, String> values;
    /** The flags given (on the command line, in the environment or in the cfg file), with their values. */
    private final Map<Flag, String> explicit;
    private String configFileNote = "";
    private List<String> configFileWarnings = List.of();
    /** Ketcd's own setting for DNS SRV discovery, from the environment (see {@link SrvDiscovery}). */
    private final String dnsServers;

    private ServerConfig(Map<Flag, String> values, Map<Flag, String> explicit, String dnsServers) {
        this.values = values;
        this.explicit = explicit;
        this.dnsServers = dnsServers;
    }

    /** The resolved value of {@code flag} (its default when nothing sets it). */
    String value(Flag flag) {
        return values.getOrDefault(flag, "");
    }

    public static ServerConfig defaults() {
        try {
            return resolve(new String[0], Map.of(), Map.of());
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Resolves a configuration. {@code cfgFile} holds the properties of {@code org.ketcd.server.cfg}
     * (keys are flag names without dashes in front, e.g. {@code listen-client-urls}); {@code env} is
     * the process environment, of which only {@code ETCD_*} variables are read.
     */
    public static ServerConfig resolve(String[] args, Map<String, String> env, Map<String, String> cfgFile)
            throws ConfigException {
        return resolve(args, env, cfgFile, null);
    }

    /** Flags that name a file or directory: a relative one is relative to the directory Ketcd was started in. */
    private static final java.util.Set<Flag> PATH_FLAGS = java.util.EnumSet.of(Flag.DATA_DIR, Flag.WAL_DIR, Flag.CERT_FILE,
            Flag.KEY_FILE, Flag.TRUSTED_CA_FILE, Flag.CLIENT_CRL_FILE, Flag.PEER_CERT_FILE, Flag.PEER_KEY_FILE,
            Flag.PEER_TRUSTED_CA_FILE, Flag.PEER_CRL_FILE);
    /** The options of --auth-token that name files. */
    private static final List<String> AUTH_TOKEN_PATH_OPTIONS = List.of("pub-key=", "priv-key=");

    /**
     * As {@link #resolve(String[], Map, Map)}, with relative paths in flags taken relative to {@code workingDir}
     * (null: left as given), as etcd takes them relative to its working directory: {@code bin/ketcd} runs the JVM
     * in Karaf's directory, not in the one it was started from.
     */
    public static ServerConfig resolve(String[] args, Map<String, String> env, Map<String, String> cfgFile, Path workingDir)
            throws ConfigException {
        Map<Flag, String> values = new EnumMap<>(Flag.class);
        Map<Flag, String> explicit = new EnumMap<>(Flag.class);
        for (Map.Entry<String, String> e : cfgFile.entrySet()) {
            Flag f = Flag.byName(e.getKey());
            if (f != null) {
                explicit.put(f, e.getValue().trim());
            }
        }
        for (Flag f : Flag.values()) {
            String fromEnv = env.get(f.envName());
            if (fromEnv != null) {
                explicit.put(f, fromEnv);
            }
        }
        explicit.putAll(parseArgs(args));
        String configFileNote = "";
        List<String> configFileWarnings = List.of();
        String configFile = explicit.getOrDefault(Flag.CONFIG_FILE, "");
        if (!configFile.isEmpty()) {
            // as etcd 3.4: the file replaces every other flag and variable
            EtcdConfigFile file = EtcdConfigFile.read(workingDir == null ? Path.of(configFile) : workingDir.resolve(configFile));
            explicit.clear();
            explicit.put(Flag.CONFIG_FILE, configFile);
            explicit.putAll(file.values());
            configFileNote = "Loading server configuration from \"" + configFile
                    + "\". Other configuration command line flags and environment variables will be ignored if provided.";
            configFileWarnings = file.warnings();
        }
        for (Flag f : Flag.values()) {
            values.put(f, explicit.getOrDefault(f, f.defaultValue));
        }
        if (values.get(Flag.DATA_DIR) == null) {
            values.put(Flag.DATA_DIR, values.get(Flag.NAME) + ".etcd");
        }
        if (workingDir != null) {
            for (Flag f : PATH_FLAGS) {
                values.computeIfPresent(f, (flag, path) -> against(workingDir, path));
            }
            values.put(Flag.AUTH_TOKEN, String.join(",", java.util.Arrays.stream(values.get(Flag.AUTH_TOKEN).split(",", -1))
                    .map(option -> AUTH_TOKEN_PATH_OPTIONS.stream().filter(option::startsWith).findFirst()
                            .map(name -> name + against(workingDir, option.substring(name.length()))).orElse(option))
                    .toList()));
        }
        for (Map.Entry<Flag, String> e : values.entrySet()) {
            check(e.getKey(), e.getValue());
            if (e.getKey().kind == Flag.Kind.BOOL && e.getValue() != null) {
                e.setValue(String.valueOf(goBool(e.getValue()))); // Go's "1", "t", "TRUE", ... as "true"
            }
        }
        if (explicit.containsKey(Flag.LISTEN_CLIENT_URLS) && !explicit.containsKey(Flag.ADVERTISE_CLIENT_URLS)) {
            throw new ConfigException("--advertise-client-urls is required when --listen-client-urls is set explicitly");
        }
        if (values.get(Flag.INITIAL_CLUSTER) == null) {
            values.put(Flag.INITIAL_CLUSTER, values.get(Flag.NAME) + "=" + values.get(Flag.INITIAL_ADVERTISE_PEER_URLS));
        }
        String state = values.get(Flag.INITIAL_CLUSTER_STATE);
        if (!state.equals("new") && !state.equals("existing")) {
            throw new ConfigException("invalid value \"" + state + "\" for flag --initial-cluster-state: valid values are \"new\" and \"existing\"");
        }
        if (Integer.parseInt(values.get(Flag.ELECTION_TIMEOUT)) < 5 * Integer.parseInt(values.get(Flag.HEARTBEAT_INTERVAL))) {
            throw new ConfigException("--election-timeout[" + values.get(Flag.ELECTION_TIMEOUT)
                    + "ms] should be at least as 5 times as --heartbeat-interval[" + values.get(Flag.HEARTBEAT_INTERVAL) + "ms]");
        }
        String mode = values.get(Flag.AUTO_COMPACTION_MODE);
        if (!mode.equals("periodic") && !mode.equals("revision")) {
            throw new ConfigException("invalid value \"" + mode + "\" for flag -auto-compaction-mode: valid values are \"periodic\" and \"revision\"");
        }
        LogLevel.of(values.get(Flag.LOG_LEVEL));
        checkBootstrapSources(values, explicit.containsKey(Flag.INITIAL_CLUSTER));
        checkMeaningless(values);
        ServerConfig config = new ServerConfig(values, explicit, env.get(SrvDiscovery.DNS_SERVERS_ENV));
        config.configFileNote = configFileNote;
        config.configFileWarnings = List.copyOf(configFileWarnings);
        config.initialClusterMembers();
        try {
            config.autoCompactionRetention();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value \"" + values.get(Flag.AUTO_COMPACTION_RETENTION)
                    + "\" for flag -auto-compaction-retention: " + (mode.equals("revision")
                    ? "expected a number of revisions" : "expected a duration such as 1h or 30m, or a number of hours"));
        }
        try {
            if (config.watchProgressNotifyIntervalMs() <= 0) {
                throw new IllegalArgumentException("not positive");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value \"" + values.get(Flag.WATCH_PROGRESS_NOTIFY_INTERVAL)
                    + "\" for flag -experimental-watch-progress-notify-interval: expected a duration such as 10m or 500ms");
        }
        checkPeerTls(config);
        String unknownSuite = org.ketcd.api.TlsCipherSuites.unknown(cipherSuites(values));
        if (unknownSuite != null) {
            throw new ConfigException(unknownSuite, 1);
        }
        for (URI url : config.listenClientUrls()) {
            if ("https".equals(url.getScheme()) && config.clientTls().isEmpty()) {
                throw new ConfigException("TLS key/cert (--cert-file, --key-file) must be provided for client url " + url
                        + " with HTTPS scheme");
            }
        }
        if (!values.get(Flag.LISTEN_METRICS_URLS).isBlank()) {
            for (URI url : parseUrls(Flag.LISTEN_METRICS_URLS, values.get(Flag.LISTEN_METRICS_URLS))) {
                if ("https".equals(url.getScheme()) && config.clientTls().isEmpty()) {
                    // etcd 3.4's fatal line (status 1) when it opens the listener
                    throw new ConfigException("cannot listen on TLS for " + url.getHost() + ":" + url.getPort()
                            + ": KeyFile and CertFile are not presented", 1);
                }
            }
        }
        if (!config.clientTls().isEmpty() && !config.clientAutoTls()) {
            try {
                org.ketcd.api.ClientTls.checkFiles(config.clientTls());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
        try {
            org.ketcd.server.auth.AuthStore.checkAuthToken(config.authToken());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value \"" + values.get(Flag.AUTH_TOKEN) + "\" for flag -auth-token: "
                    + e.getMessage());
        }
        if (config.derbyPageCachePages() < org.ketcd.mvcc.MvccOptions.MIN_PAGE_CACHE_PAGES) {
            throw new ConfigException("invalid value \"" + values.get(Flag.DERBY_PAGE_CACHE_PAGES)
                    + "\" for flag -" + Flag.DERBY_PAGE_CACHE_PAGES.flagName + ": Derby's page cache takes at least "
                    + org.ketcd.mvcc.MvccOptions.MIN_PAGE_CACHE_PAGES + " pages");
        }
        return config;
    }

    /** etcd's checks of the bootstrap flags: one source of the member list, and well-formed discovery settings. */
    private static void checkBootstrapSources(Map<Flag, String> values, boolean initialClusterSet) throws ConfigException {
        boolean v3 = !values.get(Flag.DISCOVERY_ENDPOINTS).isEmpty();
        int sources = (initialClusterSet ? 1 : 0) + (values.get(Flag.DISCOVERY).isEmpty() ? 0 : 1)
                + (values.get(Flag.DISCOVERY_SRV).isEmpty() ? 0 : 1) + (v3 ? 1 : 0);
        if (sources > 1) {
            // etcd 3.4 names its three sources; etcd 3.6 (v3 discovery, no v2 discovery) names its own three
            throw new ConfigException("multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", "
                    + (v3 ? "\"discovery-endpoints\"" : "\"discovery\"") + " or \"discovery-srv\"");
        }
        String fallback = values.get(Flag.DISCOVERY_FALLBACK);
        if (!fallback.equals("exit") && !fallback.equals("proxy")) {
            throw new ConfigException("invalid value \"" + fallback + "\" for flag -discovery-fallback: invalid value");
        }
        if (values.get(Flag.DISCOVERY_TOKEN).isEmpty() == v3) {
            throw new ConfigException("both --discovery-token and --discovery-endpoints must be set");
        }
        for (String endpoint : values.get(Flag.DISCOVERY_ENDPOINTS).split(",", -1)) {
            if (v3 && endpoint.isBlank()) {
                throw new ConfigException("--discovery-endpoints must not contain empty endpoints");
            }
        }
        for (Flag timeout : new Flag[] {Flag.DISCOVERY_DIAL_TIMEOUT, Flag.DISCOVERY_REQUEST_TIMEOUT}) {
            try {
                durationMillis(values.get(timeout).trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid value \"" + values.get(timeout) + "\" for flag -" + timeout.flagName
                        + ": parse error");
            }
        }
        String proxy = values.get(Flag.DISCOVERY_PROXY);
        if (!proxy.isEmpty()) {
            try {
                URI p = new URI(proxy);
                if (!"http".equals(p.getScheme()) || p.getHost() == null || p.getPort() < 0) {
                    throw new URISyntaxException(proxy, "expected http://host:port");
                }
            } catch (URISyntaxException e) {
                throw new ConfigException("invalid proxy address \"" + proxy + "\": " + e.getMessage());
            }
        }
    }

    private static Map<Flag, String> parseArgs(String[] args) throws ConfigException {
        Map<Flag, String> parsed = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                throw new ConfigException("'" + arg + "' is not a valid flag");
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            String name = body;
            String value = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                name = body.substring(0, eq);
                value = body.substring(eq + 1);
            }
            Flag flag = Flag.byName(name);
            if (flag == null) {
                throw new ConfigException("flag provided but not defined: -" + name);
            }
            if (value == null) {
                if (flag.kind == Flag.Kind.BOOL) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new ConfigException("flag needs an argument: -" + name);
                }
            }
            parsed.put(flag, value);
        }
        return parsed;
    }

    private static void check(Flag flag, String value) throws ConfigException {
        if (value == null) {
            return;
        }
        String bad = "invalid value \"" + value + "\" for flag -" + flag.flagName + ": ";
        switch (flag.kind) {
            case UINT, INT -> {
                try {
                    long v = Long.parseLong(value);
                    if (flag.kind == Flag.Kind.UINT && v < 0) {
                        throw new ConfigException(bad + "parse error");
                    }
                } catch (NumberFormatException e) {
                    throw new ConfigException(bad + "parse error");
                }
            }
            case UINT32 -> {
                try {
                    Integer.parseUnsignedInt(value);
                } catch (NumberFormatException e) {
                    throw new ConfigException(bad + "strconv.ParseUint: parsing \"" + value + "\": "
                            + (value.matches("\\d+") ? "value out of range" : "invalid syntax"));
                }
            }
            case BOOL -> {
                if (!isGoBool(value)) {
                    throw new ConfigException("invalid boolean value \"" + value + "\" for -" + flag.flagName + ": parse error");
                }
            }
            case DURATION -> {
                try {
                    durationMillis(value);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(bad + "parse error");
                }
            }
            case URLS -> parseUrls(flag, value);
            case FEATURES -> parseFeatures(flag, value);
            default -> {
            }
        }
    }

    /** Go's strconv.ParseBool, which etcd's boolean flags use. */
    private static boolean isGoBool(String v) {
        return List.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False").contains(v);
    }

    /** Go's strconv.ParseBool's value of a checked boolean flag. */
    private static boolean goBool(String v) {
        return List.of("1", "t", "T", "TRUE", "true", "True").contains(v);
    }

    /**
     * Values of etcd flags that Ketcd cannot honour and must not ignore: a v2 proxy (etcd would run as a proxy,
     * not as a member) and log outputs other than the standard streams.
     */
    private static void checkMeaningless(Map<Flag, String> values) throws ConfigException {
        String proxy = values.get(Flag.PROXY);
        if (!List.of("off", "readonly", "on").contains(proxy)) {
            throw new ConfigException("invalid value \"" + proxy + "\" for flag -proxy: invalid value");
        }
        if (!proxy.equals("off")) {
            throw new ConfigException("--proxy " + proxy + ": the v2 proxy is not supported; Ketcd runs members only");
        }
        for (Flag f : List.of(Flag.LOG_OUTPUTS, Flag.LOG_OUTPUT)) {
            for (String out : values.get(f).split(",")) {
                if (!List.of("default", "stderr", "stdout").contains(out)) {
                    throw new ConfigException("error verifying flags, unknown log-output \"" + out
                            + "\" (only supports \"default\", \"stderr\", \"stdout\"). See 'etcd --help'.");
                }
            }
        }
    }

    /** --cipher-suites as a list of Go's names (empty: the TLS library's defaults). */
    private static List<String> cipherSuites(Map<Flag, String> values) {
        String suites = values.get(Flag.CIPHER_SUITES);
        return suites.isBlank() ? List.of() : java.util.Arrays.stream(suites.split(",")).map(String::trim)
                .filter(n -> !n.isEmpty()).toList();
    }

    /** With --config-file: that it was read and replaced every other flag (logged at start); else empty. */
    public String configFileNote() {
        return configFileNote;
    }

    /**
     * One line per etcd flag given with a value other than its default that has no effect in Ketcd, naming the
     * flag and why, and per key of --config-file that names no flag (logged at start).
     */
    public List<String> ignoredFlagWarnings() {
        List<String> warnings = new ArrayList<>(configFileWarnings);
        List<String> unavailable = org.ketcd.api.TlsCipherSuites.unavailable(cipherSuites(values));
        if (!unavailable.isEmpty()) {
            warnings.add("--cipher-suites: " + String.join(",", unavailable) + " cannot be negotiated by this JVM (not"
                    + " implemented, or disabled by jdk.tls.disabledAlgorithms) and are not offered");
        }
        for (Map.Entry<Flag, String> e : explicit.entrySet()) {
            Flag f = e.getKey();
            if (f.ignored != null && !sameAsDefault(f, values.get(f))) {
                warnings.add("flag --" + f.flagName + "=" + values.get(f) + " has no effect in Ketcd: " + f.ignored.reason());
            }
        }
        return warnings;
    }

    private static boolean sameAsDefault(Flag f, String value) {
        return switch (f.kind) {
            case BOOL -> goBool(value) == goBool(f.defaultValue);
            case DURATION -> durationMillis(value) == durationMillis(f.defaultValue);
            default -> value.equals(f.defaultValue);
        };
    }

    private static List<URI> parseUrls(Flag flag, String value) throws ConfigException {
        List<URI> urls = new ArrayList<>();
        for (String s : value.split(",")) {
            try {
                URI u = new URI(s.trim());
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null
                        || u.getPort() < 0) {
                    throw new ConfigException("invalid value \"" + value + "\" for flag -" + flag.flagName
                            + ": URL must be http(s)://host:port, got \"" + s + "\"");
                }
                urls.add(u);
            } catch (URISyntaxException e) {
                throw new ConfigException("invalid value \"" + value + "\" for flag -" + flag.flagName
                        + ": " + e.getMessage());
            }
        }
        return List.copyOf(urls);
    }

    /** A Karaf feature name, and its version: letters, digits, '-', '_', '.' (no ranges: the list is comma separated). */
    private static final java.util.regex.Pattern FEATURE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]+");

    /**
     * {@code --karaf-features}: comma-separated Karaf feature names, each optionally {@code name/version}; blanks
     * around the commas are ignored, an empty value means none. Duplicates are kept once.
     */
    static List<String> parseFeatures(Flag flag, String value) throws ConfigException {
        List<String> features = new ArrayList<>();
        if (value.isBlank()) {
            return features;
        }
        String bad = "invalid value \"" + value + "\" for flag -" + flag.flagName + ": ";
        for (String raw : value.split(",", -1)) {
            String f = raw.trim();
            if (f.isEmpty()) {
                throw new ConfigException(bad + "empty feature name (expected name or name/version, comma separated)");
            }
            int slash = f.indexOf('/');
            String name = slash < 0 ? f : f.substring(0, slash);
            String version = slash < 0 ? null : f.substring(slash + 1);
            if (!FEATURE_NAME.matcher(name).matches()) {
                throw new ConfigException(bad + "bad feature name \"" + name
                        + "\" (letters, digits, '-', '_' and '.' only, optionally followed by /version)");
            }
            if (version != null && !FEATURE_NAME.matcher(version).matches()) {
                throw new ConfigException(bad + "bad version \"" + version + "\" of feature \"" + name
                        + "\" (letters, digits, '-', '_' and '.' only)");
            }
            if (!features.contains(f)) {
                features.add(f);
            }
        }
        return features;
    }

    /**
     * The Karaf features {@code --karaf-features} asks for, each {@code name} or {@code name/version}, in the
     * order given (empty: none). Installed by the OSGi layer once the member serves.
     */
    public List<String> karafFeatures() {
        try {
            return List.copyOf(parseFeatures(Flag.KARAF_FEATURES, values.get(Flag.KARAF_FEATURES)));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<URI> urls(Flag flag) {
        try {
            return parseUrls(flag, values.get(flag));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code --log-level}; {@code --debug} (etcd's older flag) means debug. */
    public LogLevel logLevel() {
        try {
            return values.get(Flag.DEBUG).equals("true") ? LogLevel.DEBUG : LogLevel.of(values.get(Flag.LOG_LEVEL));
        } catch (ConfigException checkedInResolve) {
            throw new IllegalStateException(checkedInResolve);
        }
    }

    public String name() {
        return values.get(Flag.NAME);
    }

    private static String against(Path workingDir, String path) {
        return path.isEmpty() || Path.of(path).isAbsolute() ? path : workingDir.resolve(path).normalize().toString();
    }

    public Path dataDir() {
        return Path.of(values.get(Flag.DATA_DIR));
    }

    public List<URI> listenClientUrls() {
        return urls(Flag.LISTEN_CLIENT_URLS);
    }

    /** etcd's --listen-metrics-urls: none by default. */
    public List<URI> listenMetricsUrls() {
        return values.get(Flag.LISTEN_METRICS_URLS).isBlank() ? List.of() : urls(Flag.LISTEN_METRICS_URLS);
    }

    public List<URI> advertiseClientUrls() {
        return urls(Flag.ADVERTISE_CLIENT_URLS);
    }

    public List<URI> listenPeerUrls() {
        return urls(Flag.LISTEN_PEER_URLS);
    }

    public List<URI> initialAdvertisePeerUrls() {
        return urls(Flag.INITIAL_ADVERTISE_PEER_URLS);
    }

    /** --initial-cluster as member name to peer URLs, in the order given. */
    /**
     * The bootstrap member list from {@code --initial-cluster}, checked as etcd checks it when a member
     * bootstraps: this member's name must be listed, with exactly its {@code --initial-advertise-peer-urls}.
     * A restarted member never calls this: its stored identity wins over the flags.
     */
    public Map<String, List<URI>> initialCluster() throws ConfigException {
        return initialCluster(null);
    }

    /**
     * As {@link #initialCluster()}; with {@code --discovery} or {@code --discovery-endpoints} (and a new
     * cluster) this registers the member with the discovery service and waits until the cluster is complete,
     * so call it once, when the member bootstraps. {@code v3} talks to a v3 discovery cluster (null: none
     * available, and the v3 flags are refused).
     */
    public Map<String, List<URI>> initialCluster(DiscoveryKeyspace.V3Client v3) throws ConfigException {
        String discoverySrv = values.get(Flag.DISCOVERY_SRV);
        Map<String, List<URI>> members = discoversCluster() ? parseCluster(discoverCluster(v3))
                : discoverySrv.isEmpty() ? initialClusterMembers()
                : parseCluster(SrvDiscovery.initialCluster(discoverySrv, values.get(Flag.DISCOVERY_SRV_NAME), name(),
                        initialAdvertisePeerUrls(), dnsServers));
        if (!members.containsKey(name())) {
            throw new ConfigException("couldn't find local name \"" + name() + "\" in the initial cluster configuration");
        }
        List<String> listed = sortedStrings(members.get(name()));
        List<String> advertised = sortedStrings(initialAdvertisePeerUrls());
        if (!listed.equals(advertised)) {
            throw new ConfigException("--initial-cluster has " + name() + "=" + String.join(",", listed)
                    + " but missing from --initial-advertise-peer-urls=" + String.join(",", advertised)
                    + " (resolved urls: \"" + String.join(",", advertised) + "\" != \"" + String.join(",", listed) + "\")");
        }
        // Two members sharing a peer URL would get one member ID and fight over one port.
        List<String> pairs = new ArrayList<>();
        java.util.Set<String> urls = new java.util.HashSet<>();
        boolean duplicate = false;
        for (Map.Entry<String, List<URI>> m : members.entrySet()) {
            for (URI url : m.getValue()) {
                pairs.add(m.getKey() + "=" + url);
                duplicate |= !urls.add(url.toString());
            }
        }
        if (duplicate) {
            throw new ConfigException("initial cluster " + String.join(",", pairs.stream().sorted().toList()) + " has duplicate url");
        }
        return members;
    }

    /** Whether this member learns its cluster from a discovery service ({@code --discovery} or the v3 flags). */
    public boolean discoversCluster() {
        return initialClusterStateNew()
                && !(values.get(Flag.DISCOVERY).isEmpty() && values.get(Flag.DISCOVERY_ENDPOINTS).isEmpty());
    }

    /** The v2 or v3 discovery protocol, as etcd runs it; etcd's messages on failure. */
    private String discoverCluster(DiscoveryKeyspace.V3Client v3) throws ConfigException {
        String durl = values.get(Flag.DISCOVERY);
        // etcd registers this member's own temporary cluster: name=advertised peer URLs
        String self = String.join(",", sortedStrings(initialAdvertisePeerUrls()).stream().map(u -> name() + "=" + u).toList());
        String selfId = Long.toHexString(org.ketcd.server.MemberIdentity.memberId(initialAdvertisePeerUrls(), initialClusterToken()));
        DiscoveryKeyspace keyspace;
        if (!durl.isEmpty()) {
            keyspace = new V2DiscoveryKeyspace(durl, values.get(Flag.DISCOVERY_PROXY));
        } else if (v3 == null) {
            throw new ConfigException("v3 discovery (--discovery-endpoints) needs the Ketcd gRPC bundle (ketcd-grpc), "
                    + "which provides the client to the discovery cluster");
        } else {
            try {
                keyspace = v3.open(List.of(values.get(Flag.DISCOVERY_ENDPOINTS).split(",")), values.get(Flag.DISCOVERY_TOKEN),
                        durationMillis(values.get(Flag.DISCOVERY_DIAL_TIMEOUT).trim()),
                        durationMillis(values.get(Flag.DISCOVERY_REQUEST_TIMEOUT).trim()));
            } catch (java.io.IOException e) {
                throw new ConfigException("failed to join discovery cluster (" + e.getMessage() + ")");
            }
        }
        try (keyspace) {
            return new ClusterDiscovery(keyspace, selfId, durl.isEmpty() ? "discovery: invalid peer URL" : "discovery: invalid URL")
                    .join(self);
        } catch (ClusterDiscovery.Failure e) {
            String failed = "failed to join discovery cluster (" + e.getMessage() + ")";
            if (e.clusterFull && !durl.isEmpty() && values.get(Flag.DISCOVERY_FALLBACK).equals("proxy")) {
                // etcd 3.4 would start a v2 proxy here (its default --discovery-fallback=proxy)
                throw new ConfigException(failed + "; --discovery-fallback=proxy is not supported by Ketcd "
                        + "(etcd would start a v2 proxy): use --discovery-fallback=exit or a new discovery token");
            }
            throw new ConfigException(failed + "; discovery token " + (durl.isEmpty() ? values.get(Flag.DISCOVERY_TOKEN) : durl)
                    + " was used, but failed to bootstrap the cluster. please generate a new discovery token and try to "
                    + "bootstrap again.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while waiting for the discovery service");
        }
    }

    private static List<String> sortedStrings(List<URI> urls) {
        return urls.stream().map(URI::toString).sorted().toList();
    }

    /** {@code --initial-cluster} parsed into name -> peer URLs, without the bootstrap checks. */
    private Map<String, List<URI>> initialClusterMembers() throws ConfigException {
        return parseCluster(values.get(Flag.INITIAL_CLUSTER));
    }

    private static Map<String, List<URI>> parseCluster(String cluster) throws ConfigException {
        Map<String, List<URI>> members = new LinkedHashMap<>();
        for (String part : cluster.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("invalid value \"" + cluster
                        + "\" for flag -initial-cluster: expected name=url pairs, got \"" + part + "\"");
            }
            List<URI> urls = new ArrayList<>(members.getOrDefault(part.substring(0, eq).trim(), List.of()));
            urls.addAll(parseUrls(Flag.INITIAL_CLUSTER, part.substring(eq + 1).trim()));
            members.put(part.substring(0, eq).trim(), urls);
        }
        return members;
    }

    public boolean initialClusterStateNew() {
        return values.get(Flag.INITIAL_CLUSTER_STATE).equals("new");
    }

    /**
     * The token the member and cluster ids derive from. As etcd: with {@code --discovery} the discovery URL,
     * with the v3 discovery flags {@code --discovery-token}; else {@code --initial-cluster-token}.
     */
    public String initialClusterToken() {
        if (!values.get(Flag.DISCOVERY).isEmpty()) {
            return values.get(Flag.DISCOVERY);
        }
        if (!values.get(Flag.DISCOVERY_ENDPOINTS).isEmpty()) {
            return values.get(Flag.DISCOVERY_TOKEN);
        }
        return values.get(Flag.INITIAL_CLUSTER_TOKEN);
    }

    public long snapshotCount() {
        return Long.parseLong(values.get(Flag.SNAPSHOT_COUNT));
    }

    public int heartbeatIntervalMs() {
        return Integer.parseInt(values.get(Flag.HEARTBEAT_INTERVAL));
    }

    public int electionTimeoutMs() {
        return Integer.parseInt(values.get(Flag.ELECTION_TIMEOUT));
    }

    /** The backend quota in bytes: etcd's rule, 0 means the 2 GiB default and a negative value disables it. */
    public long quotaBackendBytes() {
        long q = Long.parseLong(values.get(Flag.QUOTA_BACKEND_BYTES));
        return q == 0 ? DEFAULT_QUOTA_BYTES : q < 0 ? Long.MAX_VALUE : q;
    }

    /** True for --auto-compaction-mode=revision, false for periodic. */
    public boolean autoCompactionByRevision() {
        return values.get(Flag.AUTO_COMPACTION_MODE).equals("revision");
    }

    /**
     * --auto-compaction-retention parsed as etcd does: revisions to keep in revision mode; in periodic
     * mode milliseconds, from a Go duration ("30m", "1h30m") or a plain number of hours. 0 = off.
     */
    public long autoCompactionRetention() {
        String v = values.get(Flag.AUTO_COMPACTION_RETENTION).trim();
        if (autoCompactionByRevision()) {
            long revisions = Long.parseLong(v);
            if (revisions < 0) {
                throw new IllegalArgumentException("negative");
            }
            return revisions;
        }
        if (v.matches("\\d+")) {
            return java.time.Duration.ofHours(Long.parseLong(v)).toMillis();
        }
        return durationMillis(v);
    }

    /** --experimental-watch-progress-notify-interval in milliseconds (etcd's default 10m). */
    public long watchProgressNotifyIntervalMs() {
        return durationMillis(values.get(Flag.WATCH_PROGRESS_NOTIFY_INTERVAL).trim());
    }

    /** Go's time.ParseDuration, in whole milliseconds: "1h30m", "500ms", "2.5s", "0"; not negative. */
    static long durationMillis(String v) {
        if (v.equals("0")) {
            return 0;
        }
        if (!v.matches("(\\d+(\\.\\d+)?(h|m|s|ms|us|\u00b5s|ns))+")) {
            throw new IllegalArgumentException("not a duration");
        }
        double millis = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|\u00b5s|ns|h|m|s)").matcher(v);
        while (m.find()) {
            double n = Double.parseDouble(m.group(1));
            millis += switch (m.group(2)) {
                case "h" -> n * 3_600_000;
                case "m" -> n * 60_000;
                case "s" -> n * 1_000;
                case "ms" -> n;
                case "ns" -> n / 1_000_000;
                default -> n / 1_000;
            };
        }
        return (long) millis;
    }

    public int maxRequestBytes() {
        return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(values.get(Flag.MAX_REQUEST_BYTES)));
    }

    /** --experimental-value-cache-bytes: the store's value cache (Ketcd's own flag). */
    public long valueCacheBytes() {
        return Long.parseLong(values.get(Flag.VALUE_CACHE_BYTES));
    }

    /** --experimental-max-range-response-bytes: the largest read answer (Ketcd's own flag; 0: an eighth of the heap). */
    public long maxRangeResponseBytes() {
        return Long.parseLong(values.get(Flag.MAX_RANGE_RESPONSE_BYTES));
    }

    /** --experimental-derby-page-cache-pages: Derby's page cache of the store (Ketcd's own flag). */
    public int derbyPageCachePages() {
        return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(values.get(Flag.DERBY_PAGE_CACHE_PAGES)));
    }

    /** The store's settings, from the flags above. */
    public org.ketcd.mvcc.MvccOptions storeOptions() {
        return new org.ketcd.mvcc.MvccOptions(valueCacheBytes(), maxRangeResponseBytes(), derbyPageCachePages());
    }

    /**
     * The client port's TLS settings (--cert-file, --key-file, --trusted-ca-file, ...); used by https client URLs.
     * With --auto-tls and no certificate given: the self-signed one in the data dir (etcd's
     * {@code fixtures/client}), no client certificate asked for, as etcd replaces its settings then.
     */
    public org.ketcd.api.ClientTls clientTls() {
        List<String> cipherSuites = cipherSuites(values);
        if (clientAutoTls()) {
            Path dir = clientAutoTlsDir();
            return new org.ketcd.api.ClientTls(dir.resolve("cert.pem").toString(), dir.resolve("key.pem").toString(), "", false,
                    cipherSuites, "", "");
        }
        return new org.ketcd.api.ClientTls(values.get(Flag.CERT_FILE), values.get(Flag.KEY_FILE),
                values.get(Flag.TRUSTED_CA_FILE), Boolean.parseBoolean(values.get(Flag.CLIENT_CERT_AUTH)),
                cipherSuites, values.get(Flag.CLIENT_CRL_FILE), values.get(Flag.CLIENT_CERT_ALLOWED_HOSTNAME));
    }

    /**
     * --grpc-keepalive-min-time, --grpc-keepalive-interval, --grpc-keepalive-timeout, --max-concurrent-streams, and
     * --metrics: "extensive" times every call, any other value (etcd checks none) exports the basic metrics only.
     */
    public org.ketcd.api.ClientGrpcSettings clientGrpcSettings() {
        return new org.ketcd.api.ClientGrpcSettings(durationMillis(values.get(Flag.GRPC_KEEPALIVE_MIN_TIME)),
                durationMillis(values.get(Flag.GRPC_KEEPALIVE_INTERVAL)), durationMillis(values.get(Flag.GRPC_KEEPALIVE_TIMEOUT)),
                Long.parseLong(values.get(Flag.MAX_CONCURRENT_STREAMS)), "extensive".equals(values.get(Flag.METRICS)));
    }

    /**
     * --strict-reconfig-check: refuse a member add or remove that would leave fewer started voters than a
     * quorum. Off, such a change is proposed anyway (and may leave the cluster without quorum, as in etcd).
     */
    public boolean strictReconfigCheck() {
        return Boolean.parseBoolean(values.get(Flag.STRICT_RECONFIG_CHECK));
    }

    /** --experimental-initial-corrupt-check: compare the store's hash with the peers' before serving. */
    public boolean initialCorruptCheck() {
        return Boolean.parseBoolean(values.get(Flag.EXPERIMENTAL_INITIAL_CORRUPT_CHECK));
    }

    /** --force-new-cluster: a member with data restarts as the only member of its cluster. */
    public boolean forceNewCluster() {
        return Boolean.parseBoolean(values.get(Flag.FORCE_NEW_CLUSTER));
    }

    /** --experimental-corrupt-check-time: how often the leader compares hashes with its peers; 0: never. */
    public long corruptCheckIntervalMs() {
        return durationMillis(values.get(Flag.EXPERIMENTAL_CORRUPT_CHECK_TIME));
    }

    /** --auto-tls without --cert-file and --key-file (given certificates win, as in etcd). */
    public boolean clientAutoTls() {
        return autoTls() && values.get(Flag.CERT_FILE).isEmpty() && values.get(Flag.KEY_FILE).isEmpty();
    }

    /** --peer-auto-tls without --peer-cert-file and --peer-key-file. */
    public boolean peerAutoTls() {
        return Boolean.parseBoolean(values.get(Flag.PEER_AUTO_TLS)) && values.get(Flag.PEER_CERT_FILE).isEmpty()
                && values.get(Flag.PEER_KEY_FILE).isEmpty();
    }

    /** Where --auto-tls keeps its certificate and key (cert.pem, key.pem), as etcd. */
    public Path clientAutoTlsDir() {
        return dataDir().resolve("fixtures").resolve("client");
    }

    /** Where --peer-auto-tls keeps its certificate and key. */
    public Path peerAutoTlsDir() {
        return dataDir().resolve("fixtures").resolve("peer");
    }

    /**
     * The peer port's TLS settings (--peer-cert-file, --peer-key-file, --peer-trusted-ca-file, ...), or none when
     * the peer URLs are http: as etcd, a member ignores peer certificate files given with an http peer URL. With
     * --peer-auto-tls and no certificate given: the self-signed one in the data dir (etcd's {@code fixtures/peer}).
     */
    public org.ketcd.api.PeerTls peerTls() {
        if (!"https".equals(listenPeerUrls().get(0).getScheme())) {
            return org.ketcd.api.PeerTls.NONE;
        }
        List<String> cipherSuites = cipherSuites(values);
        if (peerAutoTls()) {
            Path dir = peerAutoTlsDir();
            return new org.ketcd.api.PeerTls(dir.resolve("cert.pem").toString(), dir.resolve("key.pem").toString(), "", false, "",
                    "", "", cipherSuites, true);
        }
        return new org.ketcd.api.PeerTls(values.get(Flag.PEER_CERT_FILE), values.get(Flag.PEER_KEY_FILE),
                values.get(Flag.PEER_TRUSTED_CA_FILE), Boolean.parseBoolean(values.get(Flag.PEER_CLIENT_CERT_AUTH)),
                values.get(Flag.PEER_CERT_ALLOWED_CN), values.get(Flag.PEER_CERT_ALLOWED_HOSTNAME), values.get(Flag.PEER_CRL_FILE),
                cipherSuites, false);
    }

    /**
     * https peer URLs need --peer-cert-file and --peer-key-file (etcd's message). A member speaks TLS to all of
     * its peers or to none, so its listen and advertised peer URLs and the --initial-cluster ones share a scheme
     * (etcd would let each URL choose).
     */
    private static void checkPeerTls(ServerConfig config) throws ConfigException {
        String scheme = config.listenPeerUrls().get(0).getScheme();
        List<URI> peerUrls = new ArrayList<>(config.listenPeerUrls());
        peerUrls.addAll(config.initialAdvertisePeerUrls());
        String cluster = config.values.get(Flag.INITIAL_CLUSTER);
        if (cluster != null && !cluster.isBlank()) {
            parseCluster(cluster).values().forEach(peerUrls::addAll);
        }
        for (URI url : peerUrls) {
            if (!scheme.equals(url.getScheme())) {
                throw new ConfigException("peer URL " + url + " and --listen-peer-urls " + config.listenPeerUrls().get(0)
                        + " differ in scheme: the members of a Ketcd cluster speak TLS to each other (https) or not at all (http)");
            }
        }
        String cn = config.values.get(Flag.PEER_CERT_ALLOWED_CN);
        String hostname = config.values.get(Flag.PEER_CERT_ALLOWED_HOSTNAME);
        if (!cn.isEmpty() && !hostname.isEmpty()) {
            throw new ConfigException("AllowedCN and AllowedHostname are mutually exclusive (cn=\"" + cn + "\", hostname=\""
                    + hostname + "\")");
        }
        org.ketcd.api.PeerTls tls = config.peerTls();
        if ("https".equals(scheme) && tls.isEmpty()) {
            URI url = config.listenPeerUrls().get(0);
            throw new ConfigException("cannot listen on TLS for " + url.getHost() + ":" + url.getPort()
                    + ": KeyFile and CertFile are not presented");
        }
        if (!tls.isEmpty() && !tls.selfSigned()) {
            try {
                org.ketcd.api.PeerTls.checkFiles(tls);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }

    /** --auto-tls: a self-signed client certificate when none is given. */
    public boolean autoTls() {
        return Boolean.parseBoolean(values.get(Flag.AUTO_TLS));
    }

    /** --auth-token: the kind of token Authenticate hands out (etcd's "simple" or "jwt,..."). */
    public String authToken() {
        return values.get(Flag.AUTH_TOKEN);
    }

    /** --auth-token-ttl: seconds a simple token lives unused. */
    public long authTokenTtlSeconds() {
        return Long.parseLong(values.get(Flag.AUTH_TOKEN_TTL));
    }

    /** --bcrypt-cost: bcrypt's cost for users' passwords (etcd: 4 to 31; out of range means the default, 10). */
    public int bcryptCost() {
        return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(values.get(Flag.BCRYPT_COST)));
    }

    public int maxTxnOps() {
        return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(values.get(Flag.MAX_TXN_OPS)));
    }

    /** The resolved value of a flag by its name, for diagnostics (null for unknown flags). */
    public String get(String flagName) {
        Flag f = Flag.byName(flagName);
        return f == null ? null : values.get(f);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        values.forEach((f, v) -> b.append("--").append(f.flagName).append('=').append(v).append(' '));
        return b.toString().trim();
    }
}
