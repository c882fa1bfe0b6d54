package org.ketcd.systemtests.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.AckedWriter;
import org.ketcd.systemtests.harness.AckedWriter.Ack;
import org.ketcd.systemtests.harness.CamelRoutes;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.MqttSubscriber;
import org.ketcd.systemtests.harness.MqttSubscriber.Received;
import org.ketcd.systemtests.harness.TcpProxy;
import org.ketcd.systemtests.harness.Brokers;

/**
 * At-least-once delivery of a Camel route from a real {@code bin/ketcd} member to the real Mosquitto, with
 * the route's broker connection going through a TCP proxy the test cuts:
 * <ul>
 * <li>the connection is cut mid-stream and restored: every acknowledged put reaches the subscriber, and a
 *     revision arrives twice only around the cut;</li>
 * <li>the connection is cut again, puts are acknowledged that therefore cannot be delivered, and the member is
 *     killed with SIGKILL: after its restart, the route resumes from its checkpoint in Ketcd and delivers them.</li>
 * </ul>
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class CamelMqttDeliveryUnderFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** At the writer's ~20 puts/s, a margin of a few seconds of puts on either side of a fault. */
    private static final long AROUND = 100;

    @Test
    void a_cut_broker_connection_and_a_killed_member_lose_no_event() throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "Camel routes are Ketcd's own");
        String run = "st-" + UUID.randomUUID().toString().substring(0, 8);
        Brokers.ensureMosquitto();
        try (TcpProxy proxy = new TcpProxy(Brokers.HOST, Brokers.MQTT_PORT);
             MqttSubscriber subscriber = MqttSubscriber.subscribe(run + "/#");
             Member m = Member.start(Member.Kind.KETCD, "camel-faults", "--karaf-features", "ketcd-camel-mqtt")) {
            CamelRoutes.deploy(m, "payments-to-mqtt.camel.yaml",
                    CamelRoutes.paymentsToMqtt(run, m.name(), "tcp://" + proxy.address(), false));
            CamelRoutes.awaitDelivering(m, subscriber, "/config/payments/probe", WAIT);

            List<Ack> acks = new ArrayList<>();
            AckedWriter writer = AckedWriter.start("/config/payments/w", List.of(m));
            long cutFrom;
            long cutTo;
            long killCutFrom;
            int seenAtKill;
            try {
                writer.awaitMoreAcks(40, WAIT);
                cutFrom = lastRevision(m);
                proxy.cut();
                writer.awaitMoreAcks(40, WAIT);
                proxy.restore();
                cutTo = lastRevision(m);
                writer.awaitMoreAcks(40, WAIT);

                proxy.cut();
                killCutFrom = lastRevision(m);
                writer.awaitMoreAcks(30, WAIT);
                seenAtKill = subscriber.received().size();
                m.kill();
            } finally {
                acks.addAll(writer.stop());
            }
            proxy.restore();
            m.restart();
            AckedWriter after = AckedWriter.start("/config/payments/x", List.of(m));
            try {
                after.awaitMoreAcks(30, WAIT);
            } finally {
                acks.addAll(after.stop());
            }

            Map<Long, Ack> byRevision = acks.stream().collect(Collectors.toMap(Ack::revision, a -> a));
            List<Received> events = awaitAll(subscriber, byRevision.keySet());
            Map<Long, Integer> times = new HashMap<>();
            for (Received e : events) {
                times.merge(e.revision(), 1, Integer::sum);
                Ack a = byRevision.get(e.revision());
                if (a != null) {
                    assertEquals(a.key(), e.key(), "key of revision " + e.revision());
                    assertEquals("PUT", e.type(), "type of revision " + e.revision());
                    assertEquals(run + "/" + m.name() + a.key(), e.topic(), "topic of revision " + e.revision());
                }
            }
            // what was acknowledged while the second cut stalled the route cannot have reached the subscriber
            // before the kill: it arrived after the restart, from the checkpoint
            Set<Long> beforeKill = subscriber.received().subList(0, seenAtKill).stream().map(Received::revision)
                    .collect(Collectors.toSet());
            List<Long> stalled = acks.stream().map(Ack::revision).filter(r -> r > killCutFrom)
                    .filter(r -> !beforeKill.contains(r)).toList();
            assertTrue(!stalled.isEmpty(), "no put was stalled by the second cut; the test proved nothing about the restart");
            for (Map.Entry<Long, Integer> t : times.entrySet()) {
                long r = t.getKey();
                if (t.getValue() > 1) {
                    boolean aroundCut = r >= cutFrom - AROUND && r <= cutTo + AROUND;
                    boolean aroundKill = r >= killCutFrom - AROUND;
                    assertTrue(aroundCut || aroundKill, "revision " + r + " arrived " + t.getValue()
                            + " times, far from the cut (" + cutFrom + ".." + cutTo + ") and the kill (" + killCutFrom + ")");
                }
            }
            System.out.printf("[system-tests] camel faults: %d puts acknowledged, %d events received, %d revisions twice or more%n",
                    acks.size(), events.size(), times.values().stream().filter(n -> n > 1).count());
        }
    }

    /** The member's current revision (the last put's). */
    private static long lastRevision(Member m) {
        return org.ketcd.systemtests.harness.Normalizer.json(m.ctl("get", "/config/payments/none", "-w", "json"))
                .path("header").path("revision").asLong();
    }

    /** Waits until every revision in {@code expected} was received; returns the events of the writers' keys. */
    static List<Received> awaitAll(MqttSubscriber subscriber, Set<Long> expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<Received> events = subscriber.received().stream().filter(e -> !e.key().endsWith("/probe")).toList();
            Set<Long> seen = events.stream().map(Received::revision).collect(Collectors.toSet());
            List<Long> missing = expected.stream().filter(r -> !seen.contains(r)).sorted().toList();
            if (missing.isEmpty()) {
                return events;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(missing.size() + " acknowledged revisions never reached the subscriber: "
                        + missing.subList(0, Math.min(20, missing.size())));
            }
            Member.sleep(200);
        }
    }
}
