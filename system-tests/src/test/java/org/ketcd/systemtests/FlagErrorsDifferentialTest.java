package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ketcd.systemtests.harness.Member;

/**
 * A malformed value of an etcd 3.4 flag stops etcd and bin/ketcd before anything starts, with the same
 * message and exit status 2 (bin/ketcd prefixes "ketcd: "; etcd follows with its usage text). A configuration
 * file (--config-file) that is missing or not YAML stops both with "error verifying flags, ..." and status 1.
 */
class FlagErrorsDifferentialTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"--strict-reconfig-check=maybe", "--grpc-keepalive-min-time=abc", "--experimental-corrupt-check-time=1x",
        "--max-concurrent-streams=5000000000", "--max-concurrent-streams=-1", "--proxy=bogus", "--snapshot-count=x",
        "--max-wals=-5", "--bogus-flag"})
    void a_bad_flag_value_gets_etcds_message_and_exit_status(String flag) throws Exception {
        String[] etcd = run(List.of("etcd", flag, "--data-dir", dir.resolve("etcd").toString()));
        String[] ketcd = run(List.of(Member.ketcdScript().toString(), flag, "--data-dir", dir.resolve("ketcd").toString()));
        assertEquals(etcd[0] + " " + etcd[1], ketcd[0] + " " + ketcd[1].replaceFirst("^ketcd: ", ""));
        assertEquals("2", etcd[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "not-yaml"})
    void a_config_file_etcd_cannot_use_gets_etcds_message_and_exit_status_one(String kind) throws Exception {
        Path file = dir.resolve(kind + ".yml");
        if (kind.equals("not-yaml")) {
            Files.writeString(file, "name: [unclosed\n");
        }
        String[] etcd = run(List.of("etcd", "--config-file", file.toString()), "error verifying flags, ");
        String[] ketcd = run(List.of(Member.ketcdScript().toString(), "--config-file", file.toString()), "error verifying flags, ");
        assertEquals("1", etcd[0], etcd[1]);
        assertEquals("1", ketcd[0], ketcd[1]);
        if (kind.equals("missing")) {
            assertEquals("open " + file + ": no such file or directory. See 'etcd --help'.", etcd[1]);
            assertEquals(etcd[1], ketcd[1]);
        } else {
            // the YAML parsers' own words for the fault differ (go-yaml, SnakeYAML)
            String prefix = "error converting YAML to JSON: yaml: ";
            assertEquals(true, etcd[1].startsWith(prefix), etcd[1]);
            assertEquals(true, ketcd[1].startsWith(prefix), ketcd[1]);
        }
    }

    /** Exit status and the first line of output that is not a deprecation warning. */
    private String[] run(List<String> cmd) throws IOException, InterruptedException {
        return run(cmd, null);
    }

    /**
     * Exit status and the first line of output that is not a deprecation warning, or with {@code after}, the rest of
     * the first line that holds {@code after} (etcd logs with a timestamp and a level before its message).
     */
    private String[] run(List<String> cmd, String after) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("KETCD_"));
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError(cmd + " did not stop on a bad flag:\n" + Files.readString(out));
            }
        } finally {
            p.destroyForcibly();
        }
        String first = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("[WARNING]") && (after == null || l.contains(after)))
                .map(l -> after == null ? l : l.substring(l.indexOf(after) + after.length())).findFirst()
                .orElse("(no such line in: " + Files.readString(out) + ")");
        return new String[] {String.valueOf(p.exitValue()), first};
    }
}
