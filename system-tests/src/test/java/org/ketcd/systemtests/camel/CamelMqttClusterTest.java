package org.ketcd.systemtests.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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

/**
 * Three real {@code bin/ketcd} members, each with the same route file ({@code master:} on Ketcd's election)
 * to the real Mosquitto; each member publishes under a topic naming itself. Exactly one member delivers;
 * when it is killed with SIGKILL, one other member takes over within the election lease's TTL (10 s) and
 * resumes from the route's checkpoint, so the subscriber sees every acknowledged put.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class CamelMqttClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(180);

    @Test
    void exactly_one_member_delivers_and_another_takes_over_when_it_is_killed() throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "Camel routes are Ketcd's own");
        String run = "st-" + UUID.randomUUID().toString().substring(0, 8);
        List<Member> members = Member.startCluster(Member.Kind.KETCD, "camel", 3, "--karaf-features", "ketcd-camel-mqtt");
        try (MqttSubscriber subscriber = MqttSubscriber.subscribe(run + "/#")) {
            for (Member m : members) {
                CamelRoutes.deploy(m, "payments-to-mqtt.camel.yaml",
                        CamelRoutes.paymentsToMqtt(run, m.name(), "tcp://127.0.0.1:1883", true));
            }
            CamelRoutes.awaitDelivering(members.get(0), subscriber, "/config/payments/probe", WAIT);

            List<Ack> acks = new ArrayList<>();
            AckedWriter writer = AckedWriter.start("/config/payments/w", members);
            Member active;
            boolean raftLeader;
            int seenAtKill;
            long killedAt;
            try {
                writer.awaitMoreAcks(60, WAIT);
                Set<String> delivering = deliverers(subscriber.received(), run);
                assertEquals(1, delivering.size(), "members that delivered before the kill: " + delivering);
                active = members.stream().filter(m -> delivering.contains(m.name())).findFirst().orElseThrow();
                raftLeader = org.ketcd.systemtests.harness.Leadership.awaitLeader(members, 0, Duration.ofSeconds(10)) == active;
                seenAtKill = subscriber.received().size();
                killedAt = System.nanoTime();
                active.kill();
                writer.awaitMoreAcks(100, WAIT);
            } finally {
                acks.addAll(writer.stop());
            }
            List<Received> events = CamelMqttDeliveryUnderFailureTest.awaitAll(subscriber,
                    acks.stream().map(Ack::revision).collect(Collectors.toSet()));
            List<Received> afterKill = subscriber.received().subList(seenAtKill, subscriber.received().size());
            Set<String> takers = deliverers(afterKill, run);
            takers.remove(active.name()); // its last messages may still have been on their way
            assertEquals(1, takers.size(), "members that delivered after " + active.name() + " was killed: " + takers);
            assertFalse(takers.contains(active.name()));
            String taker = takers.iterator().next();
            Received first = afterKill.stream().filter(e -> e.topic().startsWith(run + "/" + taker + "/")).findFirst().orElseThrow();
            // etcd extends every lease by an election timeout on a leader change, so a member that also led Raft
            // hands over later than one that did not
            System.out.printf("[system-tests] camel cluster: %s delivered (%s the Raft leader), killed; %s took over after %d ms;"
                    + " %d puts, %d events%n", active.name(), raftLeader ? "also" : "not", taker, TimeUnit.NANOSECONDS.toMillis(first.receivedNanos() - killedAt), acks.size(), events.size());
        } finally {
            members.forEach(Member::close);
        }
    }

    /** The member names in the topics of {@code events} (probes excluded). */
    private static Set<String> deliverers(List<Received> events, String run) {
        return events.stream().filter(e -> !e.key().endsWith("/probe"))
                .map(e -> e.topic().substring(run.length() + 1, e.topic().indexOf("/config/")))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
