package org.ketcd.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Run by {@code bin/ketcd} before Karaf boots: checks the flags, environment and cfg file, and prints
 * {@code data-dir=<path>}, {@code log-level=<Log4j level>} and {@code library-log-level=<Log4j level>} (exit 0),
 * or the one-line error (exit 2), so a bad flag stops start-up at once; so does a port that cannot be bound
 * ({@link ListenPorts}, exit 1).
 * {@code --version} and {@code --help} are answered here (exit {@link #ANSWERED}): no member starts.
 * The cfg file is given with {@code -Dketcd.cfg=<path>}.
 */
public final class ConfigCheck {
    /** "false": the listen URLs' ports are not tried (the check is for a member that already runs). */
    static final String CHECK_PORTS_PROPERTY = "ketcd.check.ports";
    /** Exit status meaning "the request was answered; do not start a member". */
    public static final int ANSWERED = 3;

    private ConfigCheck() {
    }

    public static void main(String[] args) {
        for (String a : args) {
            if (a.equals("--version") || a.equals("-version")) {
                System.out.println(versionText());
                System.exit(ANSWERED);
            }
            if (a.equals("--help") || a.equals("-help") || a.equals("-h")) {
                System.out.println(Flag.usage());
                System.exit(ANSWERED);
            }
        }
        if (args.length >= 2 && args[0].equals("snapshot") && args[1].equals("restore")) {
            restore(args);
        }
        try {
            ServerConfig config = ServerConfig.resolve(args, System.getenv(), readCfg(System.getProperty("ketcd.cfg")));
            // A discovering member registers when its server starts, once: not here.
            if (!Files.exists(config.dataDir().resolve("member").resolve("identity.properties")) && !config.discoversCluster()) {
                config.initialCluster(); // the bootstrap checks; a restarted member ignores --initial-*
            }
            // a taken port ends the start here, in a second, rather than after Karaf's boot; `bin/ketcd admin`
            // (-Dketcd.check.ports=false) looks for a running member, whose ports are taken by itself
            if (!"false".equals(System.getProperty(CHECK_PORTS_PROPERTY))) {
                ListenPorts.check(config);
            }
            System.out.println("data-dir=" + config.dataDir().toAbsolutePath());
            System.out.println("log-level=" + config.logLevel().log4jLevel());
            System.out.println("library-log-level=" + config.logLevel().libraryLog4jLevel());
        } catch (ConfigException e) {
            System.err.println("ketcd: " + e.getMessage());
            System.exit(e.exitStatus());
        }
    }

    /** {@code snapshot restore <file> [flags]}: answered here, no member starts. */
    private static void restore(String[] args) {
        if (args.length < 3 || args[2].startsWith("-")) {
            System.err.println("ketcd: snapshot restore needs the snapshot file: ketcd snapshot restore <file> [flags]");
            System.exit(2);
        }
        try {
            System.out.println(org.ketcd.server.SnapshotRestore.run(Path.of(args[2]),
                    java.util.Arrays.copyOfRange(args, 3, args.length), System.getenv(),
                    readCfg(System.getProperty("ketcd.cfg"))));
            System.exit(ANSWERED);
        } catch (ConfigException e) {
            System.err.println("ketcd: " + e.getMessage());
            System.exit(e.exitStatus());
        }
    }

    /** This build's version (the ketcd-server jar's Implementation-Version), or "unknown". */
    public static String version() {
        String version = ConfigCheck.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    static String versionText() {
        return "ketcd Version: " + version() + "\n"
                + "etcd Version: " + ServerConfig.ETCD_VERSION + "\n"
                + "Java Version: " + System.getProperty("java.version");
    }

    /** Reads an {@code org.ketcd.server.cfg} file; a missing file is an empty configuration. */
    public static Map<String, String> readCfg(String path) throws ConfigException {
        Map<String, String> cfg = new HashMap<>();
        if (path == null || !Files.exists(Path.of(path))) {
            return cfg;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path + ": " + e.getMessage());
        }
        p.stringPropertyNames().forEach(k -> cfg.put(k, p.getProperty(k)));
        return cfg;
    }
}
