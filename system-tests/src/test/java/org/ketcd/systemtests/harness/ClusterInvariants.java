package org.ketcd.systemtests.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What must hold after every failure a cluster survives: no acknowledged write lost, no revision
 * reused, every member's HashKV equal at one revision, and writes accepted again.
 */
public final class ClusterInvariants {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private ClusterInvariants() {
    }

    /** Stops the writer, prints its tally under {@code label}, and makes all four checks on {@code members}. */
    public static void stopWriterAndAssertSurvived(String label, List<Member> members, AckedWriter writer) {
        List<AckedWriter.Ack> acks = writer.stop();
        System.out.println("[" + label + "] " + writer);
        assertSurvived(members, writer, acks);
    }

    /** All four checks, after the writer has stopped; {@code members} are all running. */
    public static void assertSurvived(List<Member> members, AckedWriter writer, List<AckedWriter.Ack> acks) {
        assertRevisionsStrictlyIncrease(writer, acks);
        assertAcceptsWrites(members);
        for (Member m : members) {
            assertEveryAcknowledgedPutReadable(m, writer.prefix(), acks);
        }
        assertHashKvAgrees(members);
    }

    /** One writer's acknowledged revisions strictly increase: a reused revision would repeat or go back. */
    public static void assertRevisionsStrictlyIncrease(AckedWriter writer, List<AckedWriter.Ack> acks) {
        for (int i = 1; i < acks.size(); i++) {
            if (acks.get(i).revision() <= acks.get(i - 1).revision()) {
                throw new AssertionError("revision reused or gone back (" + writer + "): " + acks.get(i - 1) + " then " + acks.get(i));
            }
        }
    }

    /** A linearizable read of the writer's keys through {@code m} returns every acknowledged put with its value and revision. */
    public static void assertEveryAcknowledgedPutReadable(Member m, String prefix, List<AckedWriter.Ack> acks) {
        CommandResult r = retry(m, "get", prefix, "--prefix", "-w", "json");
        Map<String, JsonNode> found = new HashMap<>();
        for (JsonNode kv : Normalizer.json(r).path("kvs")) {
            found.put(decode(kv.path("key").asText()), kv);
        }
        List<String> lost = new ArrayList<>();
        for (AckedWriter.Ack a : acks) {
            JsonNode kv = found.get(a.key());
            if (kv == null) {
                lost.add(a + " is missing");
            } else if (!decode(kv.path("value").asText()).equals(a.value()) || kv.path("mod_revision").asLong() != a.revision()) {
                lost.add(a + " reads back as " + kv);
            }
        }
        if (!lost.isEmpty()) {
            throw new AssertionError(lost.size() + " of " + acks.size() + " acknowledged puts lost or changed on " + m + ":\n"
                    + String.join("\n", lost.subList(0, Math.min(20, lost.size()))));
        }
    }

    /**
     * Writes one key through the first member, then waits (bounded) until {@code etcdctl endpoint hashkv
     * --rev} at that revision answers on every member with one hash.
     */
    public static void assertHashKvAgrees(List<Member> members) {
        CommandResult put = retry(members.get(0), "put", "/invariants/hashkv", "x", "-w", "json");
        long rev = Normalizer.json(put).path("header").path("revision").asLong();
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        Map<String, String> hashes = new LinkedHashMap<>();
        while (true) {
            hashes.clear();
            for (Member m : members) {
                CommandResult r = m.ctlWithin(Duration.ofSeconds(8), "endpoint", "hashkv", "--rev=" + rev, "-w", "json");
                hashes.put(m.toString(), r.ok() ? Long.toString(Normalizer.json(r).get(0).path("HashKV").path("hash").asLong(0))
                        : "error: " + r.stderr().strip());
            }
            boolean agreed = hashes.values().stream().distinct().count() == 1 && !hashes.values().iterator().next().startsWith("error");
            if (agreed) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("HashKV at revision " + rev + " differs between members after " + CATCH_UP + ": " + hashes);
            }
            Member.sleep(500);
        }
    }

    /** Every member takes a write again (within the catch-up bound). */
    public static void assertAcceptsWrites(List<Member> members) {
        for (Member m : members) {
            retry(m, "put", "/invariants/accepts-" + m.name(), "x");
        }
    }

    /** The command through {@code m}, repeated until it succeeds (bounded); its result. */
    public static CommandResult retry(Member m, String... args) {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        CommandResult r = m.ctlWithin(Duration.ofSeconds(8), args);
        while (!r.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(m + " did not succeed within " + CATCH_UP + ":\n" + r);
            }
            Member.sleep(250);
            r = m.ctlWithin(Duration.ofSeconds(8), args);
        }
        return r;
    }

    public static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
