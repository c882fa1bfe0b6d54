package org.ketcd.systemtests.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Who leads, as members report it through {@code etcdctl endpoint status}. */
public final class Leadership {
    private static final Duration PROBE = Duration.ofSeconds(3);

    private Leadership() {
    }

    /** The member's own id and the leader it knows (0 when none); empty when it does not answer. */
    private static Optional<long[]> status(Member m) {
        CommandResult r = m.ctlWithin(PROBE, "endpoint", "status", "-w", "json");
        if (!r.ok()) {
            return Optional.empty();
        }
        JsonNode s = Normalizer.json(r).get(0).path("Status");
        // JSON leaves out a zero leader (no leader known): a missing field is no leader
        return Optional.of(new long[] {s.path("header").path("member_id").asLong(), s.path("leader").asLong(0)});
    }

    public static long memberId(Member m) {
        return status(m).orElseThrow(() -> new AssertionError(m + " does not answer endpoint status"))[0];
    }

    /**
     * Waits (at most {@code timeout}) until no member of {@code members} names a leader: every leader has stepped
     * down and every follower has given up on it. Returns how long that took. Only then is a write sure to find no
     * leader that could still append it (a leader appends until it notices it lost its majority).
     */
    public static Duration awaitNoLeader(List<Member> members, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            boolean none = true;
            StringBuilder views = new StringBuilder();
            for (Member m : members) {
                Optional<long[]> s = status(m);
                views.append(m).append(" -> ").append(s.map(v -> Long.toHexString(v[1])).orElse("no answer")).append("; ");
                if (s.isEmpty() || s.get()[1] != 0) {
                    none = false;
                    break;
                }
            }
            seen = views.toString();
            if (none) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Member.sleep(50);
        }
        throw new AssertionError("some member of " + members + " still names a leader after " + timeout + "; last views: " + seen);
    }

    /**
     * Waits (at most {@code timeout}) until every member of {@code members} names the same leader, one of
     * them and not {@code excludedId} (0: any); returns that member.
     */
    public static Member awaitLeader(List<Member> members, long excludedId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            Long agreed = null;
            boolean all = true;
            Member leader = null;
            StringBuilder views = new StringBuilder();
            for (Member m : members) {
                Optional<long[]> s = status(m);
                views.append(m).append(" -> ").append(s.map(v -> Long.toHexString(v[1])).orElse("no answer")).append("; ");
                if (s.isEmpty() || s.get()[1] == 0 || (agreed != null && agreed != s.get()[1])) {
                    all = false;
                    break;
                }
                agreed = s.get()[1];
                if (s.get()[0] == agreed) {
                    leader = m;
                }
            }
            seen = views.toString();
            if (all && leader != null && agreed != excludedId) {
                return leader;
            }
            Member.sleep(50);
        }
        throw new AssertionError("no leader agreed by " + members + " within " + timeout
                + (excludedId != 0 ? " other than " + Long.toHexString(excludedId) : "") + "; last views: " + seen);
    }
}
