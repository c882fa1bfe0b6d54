package org.ketcd.systemtests.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CamelRoutes;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.MqttSubscriber;
import org.ketcd.systemtests.harness.MqttSubscriber.Received;

/**
 * The README's route file, exactly as the distribution ships it ({@code etc/routes/payments-to-mqtt.camel.yaml}),
 * copied into a member's deploy folder: puts and deletes under /config/payments/ reach a real MQTT subscriber
 * on topic {@code ketcd<key>} in revision order; a broken route file beside it gives one ERROR line and does
 * not disturb it; removing the file stops the route.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShippedMqttRouteFileTest {
    @Test
    void the_shipped_mqtt_route_file_delivers_changes_beside_a_broken_one_until_it_is_removed() throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "Camel routes are Ketcd's own");
        Path example = Member.ketcdScript().getParent().getParent().resolve("etc/routes/payments-to-mqtt.camel.yaml");
        try (MqttSubscriber subscriber = MqttSubscriber.subscribe("ketcd/config/payments/#");
             Member m = Member.start(Member.Kind.KETCD, "camel-shipped", "--karaf-features", "ketcd-camel-mqtt")) {
            Path deployed = CamelRoutes.deploy(m, "payments-to-mqtt.camel.yaml", Files.readString(example));
            CamelRoutes.awaitDelivering(m, subscriber, "/config/payments/probe", Duration.ofSeconds(120));
            int from = subscriber.received().size();
            long put = revision(m.ctl("put", "/config/payments/limits", "{\"max\":100}", "-w", "json"));
            m.ctl("put", "/config/other", "not routed");
            long del = revision(m.ctl("del", "/config/payments/limits", "-w", "json"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (subscriber.received().size() < from + 2 && System.nanoTime() < deadline) {
                Member.sleep(100);
            }
            List<Received> got = subscriber.received().subList(from, subscriber.received().size());
            assertEquals(2, got.size(), () -> "events after the probe: " + got);
            assertEquals("ketcd/config/payments/limits", got.get(0).topic());
            assertEquals(List.of("PUT", "DELETE"), got.stream().map(Received::type).toList());
            assertEquals(List.of(put, del), got.stream().map(Received::revision).toList());

            CamelRoutes.deploy(m, "broken.camel.yaml", "- route:\n    from:\n      uri: \"ketcd:/x?filter=nonsense\"\n");
            awaitLog(m, "broken.camel.yaml not deployed");
            List<String> errors = Files.readAllLines(m.logFile(), java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.contains("ERROR") && l.contains("broken.camel.yaml")).toList();
            assertEquals(1, errors.size(), () -> "one ERROR line for the broken file, got " + errors);
            assertTrue(errors.get(0).contains("filter takes put and/or delete, not: nonsense"), errors.get(0));
            int beforeMore = subscriber.received().size();
            m.ctl("put", "/config/payments/still", "routed");
            assertTrue(subscriber.awaitKey("/config/payments/still", beforeMore, 10_000), "the good route stopped delivering");

            Files.delete(deployed);
            awaitLog(m, "ketcd-camel: undeployed payments-to-mqtt.camel.yaml");
            int before = subscriber.received().size();
            m.ctl("put", "/config/payments/after", "x");
            Member.sleep(1500);
            assertEquals(before, subscriber.received().size(), "a removed route file still delivered");
        }
    }

    private static long revision(org.ketcd.systemtests.harness.CommandResult r) {
        return org.ketcd.systemtests.harness.Normalizer.json(r).path("header").path("revision").asLong();
    }

    private static void awaitLog(Member m, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.readString(m.logFile(), java.nio.charset.StandardCharsets.ISO_8859_1).contains(text)) {
                return;
            }
            Member.sleep(200);
        }
        throw new AssertionError("not in the member's log within 30 s: " + text);
    }
}
