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
 * {@code data-dir=<path>} (exit 0) or the one-line error (exit 2), so a bad flag stops start-up at once.
 * The cfg file is given with {@code -Dketcd.cfg=<path>}.
 */
public final class ConfigCheck {
    private ConfigCheck() {
    }

    public static void main(String[] args) {
        try {
            ServerConfig config = ServerConfig.resolve(args, System.getenv(), readCfg(System.getProperty("ketcd.cfg")));
            System.out.println("data-dir=" + config.dataDir().toAbsolutePath());
        } catch (ConfigException e) {
            System.err.println("ketcd: " + e.getMessage());
            System.exit(2);
        }
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
