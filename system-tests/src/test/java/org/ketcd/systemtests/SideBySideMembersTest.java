package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;

/**
 * DESIGN.md: several members run side by side from one distribution, each with its own data dir (Karaf's
 * runtime state, lock and listeners must not clash). Two independent single-member clusters from the same
 * bin/ketcd must both serve, and each sees only its own data.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SideBySideMembersTest {

    @Test
    void two_members_from_one_distribution_serve_at_the_same_time() {
        try (Member a = Member.start(Member.Kind.target(), "side-a");
                Member b = Member.start(Member.Kind.target(), "side-b")) {
            assertEquals(0, a.ctl("put", "/side/owner", "a").exitCode());
            assertEquals(0, b.ctl("put", "/side/owner", "b").exitCode());
            CommandResult ra = a.ctl("get", "/side/owner", "--print-value-only");
            CommandResult rb = b.ctl("get", "/side/owner", "--print-value-only");
            assertEquals("a", ra.stdout().strip(), ra::toString);
            assertEquals("b", rb.stdout().strip(), rb::toString);
        }
    }
}
