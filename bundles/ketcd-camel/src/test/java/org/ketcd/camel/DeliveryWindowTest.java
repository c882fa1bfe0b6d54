package org.ketcd.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.ketcd.api.Event;
import org.ketcd.api.KeyValue;

/**
 * The consumer's window driven by hand: the test plays the route and completes exchanges in any order it likes,
 * on the test thread, so every interleaving it names is the one that runs.
 */
class DeliveryWindowTest {
    /** What the route was handed, in order, and the checkpoint's reports. */
    final List<DeliveryWindow.Delivery> sent = new ArrayList<>();
    final List<Long> checkpointed = new ArrayList<>();
    final List<Long> backoffs = new ArrayList<>();
    boolean running = true;

    DeliveryWindow window(int size) {
        return new DeliveryWindow(size, sent::add, checkpointed::add, new DeliveryWindow.Waits() {
            @Override
            public boolean completion(long ms) {
                return running;
            }

            @Override
            public boolean backoff(long ms) {
                backoffs.add(ms);
                return running;
            }

            @Override
            public void retrying(DeliveryWindow.Delivery failed, int attempt, Exception failure) {
            }
        }, () -> { });
    }

    static Event event(long revision) {
        return Event.put(new KeyValue(("/k" + revision).getBytes(StandardCharsets.UTF_8), revision, revision, 1,
                new byte[0], 0));
    }

    /** Offers revisions {@code from..to}, one event each, each ending its revision. */
    static void offer(DeliveryWindow w, long from, long to) throws Exception {
        for (long r = from; r <= to; r++) {
            w.offer(event(r), true, false, r);
        }
    }

    List<Long> sentRevisions() {
        return sent.stream().map(d -> d.event.revision()).toList();
    }

    @Test
    void sendsUpToItsSizeBeforeTheFirstCompletes() throws Exception {
        DeliveryWindow w = window(4);
        offer(w, 1, 3); // the 4th offer would wait for room
        assertEquals(List.of(1L, 2L, 3L), sentRevisions());
        assertEquals(List.of(), checkpointed);
    }

    @Test
    void checkpointAdvancesOnlyOverTheCompletedPrefix() throws Exception {
        DeliveryWindow w = window(8);
        offer(w, 1, 4);
        sent.get(1).succeeded();
        sent.get(3).succeeded();
        w.advance();
        assertEquals(List.of(), checkpointed, "revision 1 has not succeeded: nothing after it counts");
        sent.get(0).succeeded();
        w.advance();
        assertEquals(List.of(1L, 2L), checkpointed, "1 and 2 succeeded; 3 is still in flight");
        sent.get(2).succeeded();
        w.advance();
        assertEquals(List.of(1L, 2L, 3L, 4L), checkpointed);
    }

    @Test
    void aFailureStopsSendingAndResendsTheFailedEventAndEverythingAfterItInOrder() throws Exception {
        DeliveryWindow w = window(8);
        offer(w, 1, 4);
        sent.get(1).failed(new IllegalStateException("broker refused 2"));
        w.offer(event(5), true, false, 5); // not sent: a failure is outstanding
        assertEquals(List.of(1L, 2L, 3L, 4L), sentRevisions());
        sent.get(0).succeeded();
        sent.get(2).succeeded(); // a later one the broker took: it is sent again all the same, after 2
        w.advance();
        assertEquals(List.of(1L), checkpointed);
        assertEquals(List.of(1L, 2L, 3L, 4L), sentRevisions(), "nothing is resent while 4 is in flight");
        sent.get(3).succeeded();
        w.advance();
        assertEquals(List.of(1L, 2L, 3L, 4L, 2L, 3L, 4L, 5L), sentRevisions());
        assertEquals(List.of(KetcdConsumer.FIRST_BACKOFF_MS), backoffs);
        for (int i = 4; i < 8; i++) {
            sent.get(i).succeeded();
        }
        w.advance();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), checkpointed);
    }

    @Test
    void repeatedFailuresOfTheSameEventBackOffLongerAndLonger() throws Exception {
        DeliveryWindow w = window(2);
        offer(w, 1, 1);
        for (int i = 0; i < 3; i++) {
            sent.get(sent.size() - 1).failed(new IllegalStateException("down"));
            w.advance();
        }
        assertEquals(List.of(KetcdConsumer.FIRST_BACKOFF_MS, 2 * KetcdConsumer.FIRST_BACKOFF_MS,
                4 * KetcdConsumer.FIRST_BACKOFF_MS), backoffs);
        sent.get(sent.size() - 1).succeeded();
        w.advance();
        assertEquals(List.of(1L), checkpointed);
    }

    @Test
    void aRevisionOfEventsTheRouteDoesNotSeeCountsOnceEverythingBeforeItSucceeded() throws Exception {
        DeliveryWindow w = window(4);
        offer(w, 1, 1);
        w.revisionEnds(2); // e.g. only reserved keys changed at revision 2
        assertEquals(List.of(), checkpointed);
        sent.get(0).succeeded();
        w.advance();
        assertEquals(List.of(2L), checkpointed);
        w.revisionEnds(3);
        assertEquals(List.of(2L, 3L), checkpointed);
    }

    @Test
    void stoppingWaitsForWhatIsInFlightAndCheckpointsOnlyWhatSucceeded() throws Exception {
        DeliveryWindow w = window(4);
        offer(w, 1, 3);
        sent.get(0).succeeded();
        sent.get(1).failed(new IllegalStateException("down"));
        sent.get(2).succeeded();
        running = false;
        assertThrows(InterruptedException.class, () -> offer(w, 4, 4));
        w.settle();
        assertEquals(List.of(1L), checkpointed, "2 failed: 2 and 3 are delivered again after a restart");
        assertEquals(List.of(1L, 2L, 3L), sentRevisions(), "nothing is sent or resent once stopped");
    }

    @Test
    void anEventSentWhileTheConsumerWaitsForRoomCountsWhenItCompletesAfterAStop() throws Exception {
        DeliveryWindow w = window(2);
        offer(w, 1, 1);
        running = false;
        assertThrows(InterruptedException.class, () -> offer(w, 2, 2)); // sent, then the wait for room was stopped
        assertEquals(List.of(1L, 2L), sentRevisions());
        sent.get(0).succeeded();
        sent.get(1).succeeded();
        w.settle();
        assertEquals(List.of(1L, 2L), checkpointed);
    }

    @Test
    void sizeOneSendsOneAtATime() throws Exception {
        DeliveryWindow.Sender completesAtOnce = d -> {
            sent.add(d);
            assertTrue(sent.size() == checkpointed.size() + 1, "the previous one completed before this was sent");
            d.succeeded();
        };
        DeliveryWindow one = new DeliveryWindow(1, completesAtOnce, checkpointed::add, new DeliveryWindow.Waits() {
            @Override
            public boolean completion(long ms) {
                return true;
            }

            @Override
            public boolean backoff(long ms) {
                return true;
            }

            @Override
            public void retrying(DeliveryWindow.Delivery failed, int attempt, Exception failure) {
            }
        }, () -> { });
        offer(one, 1, 5);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), checkpointed);
    }
}
