package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * A writer puts k00000, k00001, ... one after another with etcdctl and records each acknowledged put and
 * its revision; meanwhile the member process is SIGKILLed. After a restart on the same data dir every
 * acknowledged put must be there with exactly its revision, and the next write gets a higher revision.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KillNineDurabilityTest {

    private static final int MAX_PUTS = 5_000;
    private static final long WRITE_MILLIS_BEFORE_KILL = 6_000;
    private static final int MIN_ACKED_BEFORE_KILL = 20;

    record Ack(String key, String value, long revision) {
    }

    @Test
    void every_acknowledged_put_survives_sigkill_and_restart() throws Exception {
        try (Member m = Member.start(Member.Kind.target(), "durability")) {
            if (m.kind() == Member.Kind.KETCD) {
                String cmd = m.command().orElse("<unknown>");
                assertTrue(cmd.endsWith("/java") || cmd.endsWith("/java.exe"),
                        "bin/ketcd must exec the JVM so that its PID is the member's PID (SIGKILL must kill the member);"
                                + " PID " + m.pid() + " runs " + cmd + ", descendants: "
                                + m.handle().descendants().map(h -> h.pid() + "=" + h.info().command().orElse("?")).toList());
            }
            List<Ack> acked = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<String> writerEnd = new CopyOnWriteArrayList<>();
            Thread writer = new Thread(() -> {
                for (int i = 0; i < MAX_PUTS && !stop.get(); i++) {
                    String key = String.format("/dur/k%05d", i);
                    String value = "value-" + i;
                    CommandResult r = m.ctlWithin(java.time.Duration.ofSeconds(8), "put", key, value, "-w", "json");
                    if (!r.ok()) {
                        writerEnd.add("put " + key + " failed (expected once the member is killed):\n" + r);
                        return;
                    }
                    acked.add(new Ack(key, value, Normalizer.json(r).path("header").path("revision").asLong()));
                }
                writerEnd.add("writer stopped after " + acked.size() + " puts");
            }, "durability-writer");
            writer.setDaemon(true);
            writer.start();

            long deadline = System.currentTimeMillis() + 60_000;
            Thread.sleep(WRITE_MILLIS_BEFORE_KILL);
            while (acked.size() < MIN_ACKED_BEFORE_KILL && writer.isAlive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(acked.size() >= MIN_ACKED_BEFORE_KILL, "the writer got only " + acked.size()
                    + " acknowledged puts before the kill: " + writerEnd + "\n" + m.logTail(40));
            long pid = m.pid();
            m.kill(); // SIGKILL while the writer is still writing
            assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "PID " + pid + " survived SIGKILL");
            writer.join(60_000);
            stop.set(true);
            assertTrue(!writer.isAlive(), "writer did not stop within 60 s after the kill");
            List<Ack> acks = new ArrayList<>(acked);
            for (int i = 1; i < acks.size(); i++) {
                assertTrue(acks.get(i).revision() > acks.get(i - 1).revision(),
                        "acknowledged revisions must increase: " + acks.get(i - 1) + " then " + acks.get(i));
            }

            m.restart();

            CommandResult all = m.ctl("get", "/dur/", "--prefix", "-w", "json");
            assertEquals(0, all.exitCode(), () -> "reading back after restart failed:\n" + all);
            Map<String, JsonNode> found = new HashMap<>();
            for (JsonNode kv : Normalizer.json(all).path("kvs")) {
                found.put(new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8), kv);
            }
            List<String> lost = new ArrayList<>();
            for (Ack a : acks) {
                JsonNode kv = found.get(a.key());
                if (kv == null) {
                    lost.add(a + " is missing");
                    continue;
                }
                String value = new String(Base64.getDecoder().decode(kv.path("value").asText()), StandardCharsets.UTF_8);
                if (!value.equals(a.value()) || kv.path("mod_revision").asLong() != a.revision()
                        || kv.path("create_revision").asLong() != a.revision() || kv.path("version").asLong() != 1) {
                    lost.add(a + " came back as " + kv + " (value " + value + ")");
                }
            }
            if (!lost.isEmpty()) {
                fail(lost.size() + " of " + acks.size() + " acknowledged puts lost or changed by kill -9 + restart:\n"
                        + String.join("\n", lost.subList(0, Math.min(30, lost.size()))) + "\nwriter: " + writerEnd);
            }
            long lastAcked = acks.get(acks.size() - 1).revision();
            // At most the one in-flight put may have been applied without being acknowledged.
            assertTrue(found.size() <= acks.size() + 1, "found " + found.size() + " keys but only " + acks.size()
                    + " puts were acknowledged and at most one was in flight");

            CommandResult next = m.ctl("put", "/dur/after-restart", "x", "-w", "json");
            assertEquals(0, next.exitCode(), () -> "put after restart failed:\n" + next);
            long nextRev = Normalizer.json(next).path("header").path("revision").asLong();
            assertTrue(nextRev > lastAcked, "put after restart got revision " + nextRev
                    + ", not above the last acknowledged revision " + lastAcked);
            System.out.println("[durability] " + m.kind() + ": " + acks.size() + " acknowledged puts survived kill -9 (last rev "
                    + lastAcked + "), next put at rev " + nextRev);
        }
    }
}
