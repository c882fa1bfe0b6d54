package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayCallSlotsTest {
    private final List<String> started = new ArrayList<>();

    private Runnable call(String name) {
        return () -> started.add(name);
    }

    @Test
    void callsBeyondTheLimitWaitAndTakeFreedSlotsFirstComeFirstServed() {
        GatewayCallSlots slots = new GatewayCallSlots(2);
        slots.start(call("a"));
        slots.start(call("b"));
        slots.start(call("c"));
        slots.start(call("d"));
        assertEquals(List.of("a", "b"), started);
        assertEquals(2, slots.waiting());
        slots.release();
        assertEquals(List.of("a", "b", "c"), started);
        slots.release();
        slots.release();
        assertEquals(List.of("a", "b", "c", "d"), started);
        assertEquals(1, slots.open());
        slots.release();
        assertEquals(0, slots.open());
    }

    @Test
    void aWithdrawnCallNeverRunsAndLeavesItsTurnToTheNext() {
        GatewayCallSlots slots = new GatewayCallSlots(1);
        slots.start(call("open"));
        Runnable gone = call("gone");
        slots.start(gone);
        slots.start(call("next"));
        assertTrue(slots.withdraw(gone));
        slots.release();
        assertEquals(List.of("open", "next"), started);
        assertFalse(slots.withdraw(gone), "a call withdrawn once is not waiting any more");
    }

    @Test
    void aCallThatAlreadyRanCannotBeWithdrawn() {
        GatewayCallSlots slots = new GatewayCallSlots(1);
        Runnable running = call("running");
        slots.start(running);
        assertFalse(slots.withdraw(running));
        assertEquals(1, slots.open());
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GatewayCallSlots(0));
    }
}
