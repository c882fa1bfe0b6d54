package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AutoCompactionTest {
    private final AtomicLong revision = new AtomicLong(1);
    private final List<Long> compactedTo = new ArrayList<>();

    @Test
    void periodicModeWaitsAWholeRetentionThenCompactsToTheRevisionOfOneRetentionAgo() {
        long tenMinutes = 10 * 60_000;
        AutoCompaction c = new AutoCompaction(AutoCompaction.Mode.PERIODIC, tenMinutes, 0, revision::get, compactedTo::add);
        assertEquals(60_000, c.tickInterval(), "samples every retention/10");
        long now = 0;
        for (int i = 1; i <= 9; i++) {          // minutes 1..9: revisions 11..19, no compaction yet
            now += 60_000;
            revision.set(10 + i);
            c.tick(now);
        }
        assertEquals(List.of(), compactedTo);
        now += 60_000;                          // minute 10: a whole retention has passed
        revision.set(20);
        c.tick(now);
        assertEquals(List.of(11L), compactedTo, "the revision sampled ten minutes ago");
        for (int i = 1; i <= 10; i++) {         // ten more minutes
            now += 60_000;
            revision.set(20 + i);
            c.tick(now);
        }
        assertEquals(List.of(11L, 20L), compactedTo, "then every retention again, one retention behind");
    }

    @Test
    void periodicModeWithARetentionOverAnHourCompactsHourly() {
        AutoCompaction c = new AutoCompaction(AutoCompaction.Mode.PERIODIC, 5 * 3_600_000L, 0, revision::get, compactedTo::add);
        assertEquals(360_000, c.tickInterval(), "samples every 6 minutes: 1 hour / 10");
    }

    @Test
    void revisionModeKeepsTheLastRetentionRevisions() {
        AutoCompaction c = new AutoCompaction(AutoCompaction.Mode.REVISION, 100, 0, revision::get, compactedTo::add);
        assertEquals(5 * 60_000, c.tickInterval());
        revision.set(50);
        c.tick(1);
        assertEquals(List.of(), compactedTo, "nothing to compact below the retention");
        revision.set(350);
        c.tick(2);
        c.tick(3);
        assertEquals(List.of(250L), compactedTo, "compacts once per new target");
    }
}
