package org.ketcd.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * etcd's YAML configuration file ({@code --config-file}, {@code ETCD_CONFIG_FILE}), read as etcd 3.4 reads it:
 * each top-level key is a flag's name; {@code client-transport-security} and {@code peer-transport-security} hold
 * {@code cert-file}, {@code key-file}, {@code client-cert-auth}, {@code trusted-ca-file} and {@code auto-tls} of the
 * client and peer TLS flags. An empty value keeps the flag's default; a list is a comma-separated value; a number
 * for a duration is nanoseconds, as etcd's Go durations in that file. Keys etcd ignores (no such flag) are named
 * in {@link #warnings()}. Only safe YAML is read (plain maps, lists and scalars, no types).
 */
final class EtcdConfigFile {
    /** The largest file read: a configuration of every flag is a few KiB. */
    static final long MAX_BYTES = 1024 * 1024;

    private static final Map<String, String> SECURITY_KEYS = Map.of("cert-file", "cert-file", "key-file", "key-file",
            "client-cert-auth", "client-cert-auth", "trusted-ca-file", "trusted-ca-file", "auto-tls", "auto-tls");

    private final Map<Flag, String> values = new EnumMap<>(Flag.class);
    private final List<String> warnings = new ArrayList<>();

    private EtcdConfigFile() {
    }

    /** The flag values {@code file} sets, or etcd's error for a file that cannot be read or parsed. */
    static EtcdConfigFile read(Path file) throws ConfigException {
        Object root;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw unusable(file + " is larger than " + MAX_BYTES + " bytes");
            }
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            }
        } catch (IOException e) {
            throw unusable("open " + file + ": " + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file or directory" : e.getMessage()));
        } catch (YAMLException e) {
            throw unusable("error converting YAML to JSON: yaml: " + firstLine(e.getMessage()));
        }
        EtcdConfigFile config = new EtcdConfigFile();
        if (root == null) {
            return config;
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw unusable(file + ": expected a YAML mapping of flag names to values");
        }
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String key = String.valueOf(e.getKey());
            switch (key) {
                case "client-transport-security" -> config.security(key, "", e.getValue());
                case "peer-transport-security" -> config.security(key, "peer-", e.getValue());
                default -> config.set(key, key, e.getValue());
            }
        }
        return config;
    }

    Map<Flag, String> values() {
        return values;
    }

    /** One line per key that names no flag (etcd ignores them silently). */
    List<String> warnings() {
        return warnings;
    }

    private void security(String block, String prefix, Object value) throws ConfigException {
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> keys)) {
            throw unusable(block + " must be a mapping of " + SECURITY_KEYS.keySet());
        }
        for (Map.Entry<?, ?> e : keys.entrySet()) {
            String key = String.valueOf(e.getKey());
            String flag = SECURITY_KEYS.get(key);
            if (flag == null) {
                warnings.add("--config-file: unknown key " + block + "." + key + " ignored");
            } else {
                set(block + "." + key, prefix + flag, e.getValue());
            }
        }
    }

    private void set(String key, String flagName, Object value) throws ConfigException {
        Flag flag = Flag.byName(flagName);
        if (flag == null || flag == Flag.CONFIG_FILE) {
            warnings.add("--config-file: unknown key " + key + " ignored");
            return;
        }
        if (value == null) {
            return; // etcd keeps the default for an empty value
        }
        if (value instanceof Map<?, ?>) {
            throw unusable(key + " must be a value or a list, not a mapping");
        }
        String text;
        if (value instanceof List<?> list) {
            text = list.stream().map(String::valueOf).collect(Collectors.joining(","));
        } else if (flag.kind == Flag.Kind.DURATION && (value instanceof Integer || value instanceof Long)) {
            text = value + "ns";
        } else {
            text = String.valueOf(value);
        }
        values.put(flag, text);
    }

    /** etcd's words and exit status for a configuration file it cannot use. */
    private static ConfigException unusable(String problem) {
        return new ConfigException("error verifying flags, " + problem + ". See 'etcd --help'.", 1);
    }

    private static String firstLine(String message) {
        return message == null ? "invalid YAML" : message.lines().findFirst().orElse(message).trim();
    }
}
