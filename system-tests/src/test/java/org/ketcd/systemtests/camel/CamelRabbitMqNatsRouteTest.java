package org.ketcd.systemtests.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.Brokers;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * The example route files the distribution ships in {@code etc/routes/}, used as documented: one real
 * {@code bin/ketcd} member started with {@code --karaf-features ketcd-camel-rabbitmq,ketcd-camel-nats}, the two
 * files copied unchanged into its {@code <data-dir>/deploy/}, and real subscribers in this JVM (an AMQP queue
 * bound to the exchange {@code ketcd} with routing key {@code config.payments}; a NATS subscription to
 * {@code ketcd.config.payments}), subscribed before the routes start. 200 puts and deletes under
 * {@code /config/payments/} through etcdctl reach each subscriber exactly once, in revision order, with the
 * value as body and the event in the broker headers (KetcdKey, KetcdEventType, KetcdRevision, ...).
 *
 * <p>The brokers are shared (another test run may publish to the same exchange and subject): this run's keys
 * carry a unique segment, and only they count.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CamelRabbitMqNatsRouteTest {
    private static final String EXCHANGE = "ketcd";
    private static final String ROUTING_KEY = "config.payments";
    private static final String SUBJECT = "ketcd.config.payments";
    private static final List<String> ROUTE_FILES = List.of("payments-to-rabbitmq.camel.yaml", "payments-to-nats.camel.yaml");
    private static final int CHANGES = 200;
    private static final Duration WAIT = Duration.ofSeconds(90);

    /** One event as a subscriber saw it: the Ketcd* headers and the body. */
    record Seen(String key, String type, long revision, long modRevision, long createRevision, long version, String body) {
    }

    @Test
    void shipped_rabbitmq_and_nats_routes_deliver_every_change_once_in_revision_order() throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD, "Camel routes are Ketcd's own; nothing to check against etcd");
        Brokers.ensureRabbitMq();
        String natsUrl = Brokers.ensureNats();
        Path routes = Member.ketcdScript().getParent().getParent().resolve("etc/routes");
        for (String f : ROUTE_FILES) {
            assertTrue(Files.isRegularFile(routes.resolve(f)), "the distribution does not ship " + routes.resolve(f));
        }
        String prefix = "/config/payments/" + UUID.randomUUID().toString().substring(0, 8) + "/";
        BlockingQueue<Seen> rabbit = new LinkedBlockingQueue<>();
        BlockingQueue<Seen> nats = new LinkedBlockingQueue<>();
        java.util.Set<String> amqpContent = java.util.concurrent.ConcurrentHashMap.newKeySet();

        ConnectionFactory amqp = new ConnectionFactory();
        amqp.setHost(Brokers.HOST);
        amqp.setPort(Brokers.AMQP_PORT);
        amqp.setUsername("guest");
        amqp.setPassword("guest");
        Options natsOptions = new Options.Builder().server(natsUrl).connectionTimeout(Duration.ofSeconds(5)).build();
        long t0 = System.nanoTime();
        try (com.rabbitmq.client.Connection amqpConnection = amqp.newConnection("ketcd-system-test");
             Connection natsConnection = Nats.connect(natsOptions)) {
            // Subscribers first: neither broker keeps messages for a queue or subscription that is not there yet.
            Channel channel = amqpConnection.createChannel();
            // declared as the route declares it (durable topic exchange, not auto-delete), else one of the two fails
            channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true, false, null);
            String queue = channel.queueDeclare().getQueue(); // server-named, exclusive, auto-delete
            channel.queueBind(queue, EXCHANGE, ROUTING_KEY);
            channel.basicConsume(queue, true, (tag, delivery) -> {
                Seen s = fromAmqp(delivery.getProperties(), delivery.getBody());
                if (s.key() != null && s.key().startsWith(prefix)) {
                    amqpContent.add(delivery.getProperties().getContentType() + "; " + delivery.getProperties().getContentEncoding());
                    rabbit.add(s);
                }
            }, tag -> { });
            Dispatcher dispatcher = natsConnection.createDispatcher(message -> {
                Seen s = fromNats(message);
                if (s.key() != null && s.key().startsWith(prefix)) {
                    nats.add(s);
                }
            });
            dispatcher.subscribe(SUBJECT);
            natsConnection.flush(Duration.ofSeconds(5)); // the server has the subscription

            try (Member m = Member.start(Member.Kind.KETCD, "camel-brokers", "--karaf-features",
                    "ketcd-camel-rabbitmq,ketcd-camel-nats")) {
                long started = System.nanoTime();
                Path deploy = m.dataDir().resolve("deploy");
                for (String f : ROUTE_FILES) {
                    // copied beside the folder and moved in, so FileInstall never reads half a file
                    Path tmp = m.dataDir().resolve(f + ".tmp");
                    Files.copy(routes.resolve(f), tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, deploy.resolve(f), StandardCopyOption.ATOMIC_MOVE);
                }
                awaitRoutesDeliver(m, prefix + "probe", rabbit, nats);
                long routesUp = System.nanoTime();

                List<Seen> expected = new ArrayList<>();
                for (int i = 0; i < CHANGES; i++) {
                    if (i % 4 == 3) {
                        String key = prefix + "k" + (i - 1);
                        long revision = revisionOf(m, m.ctl("-w", "json", "del", key));
                        expected.add(new Seen(key, "DELETE", revision, revision, 0, 0, ""));
                    } else {
                        String key = prefix + "k" + i;
                        String value = "value-" + i;
                        long revision = revisionOf(m, m.ctl("-w", "json", "put", key, value));
                        expected.add(new Seen(key, "PUT", revision, revision, revision, 1, value));
                    }
                }
                long written = System.nanoTime();

                List<Seen> fromRabbit = collect(rabbit, expected.size());
                List<Seen> fromNats = collect(nats, expected.size());
                long delivered = System.nanoTime();
                assertEquals(expected, fromRabbit, () -> "RabbitMQ subscriber (exchange " + EXCHANGE + ", key " + ROUTING_KEY
                        + ") got other events than written, in this order.\nLast lines of " + m.logFile() + ":\n" + m.logTail(40));
                assertEquals(expected, fromNats, () -> "NATS subscriber (" + SUBJECT + ") got other events than written, in this"
                        + " order.\nLast lines of " + m.logFile() + ":\n" + m.logTail(40));
                // the body is text, encoded as UTF-8 whatever the member's default charset, and the message says so
                assertEquals(java.util.Set.of("text/plain; UTF-8"), amqpContent, "AMQP content type and encoding");
                // each route keeps a checkpoint of its own (both read the same ketcd: URI), past the last change
                long last = expected.get(expected.size() - 1).revision();
                for (String id : List.of("payments-to-rabbitmq", "payments-to-nats")) {
                    awaitCheckpoint(m, id, last);
                }
                System.out.printf("[camel-brokers] member up %d ms, routes delivering %d ms later, %d changes written in %d ms,"
                        + " all delivered %d ms after the last write (incl. 1 s quiet check per broker)%n",
                        ms(started - t0), ms(routesUp - started), CHANGES, ms(written - routesUp), ms(delivered - written));
            }
        }
    }

    /**
     * The routes start when FileInstall hands the files over and master: has won the election: put a probe key
     * until an event of it reached both subscribers, then forget the probes.
     */
    private static void awaitRoutesDeliver(Member m, String probe, BlockingQueue<Seen> rabbit, BlockingQueue<Seen> nats)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean rabbitUp = false;
        boolean natsUp = false;
        while (System.nanoTime() < deadline && !(rabbitUp && natsUp)) {
            CommandResult put = m.ctl("put", probe, "p");
            assertTrue(put.ok(), put::toString);
            rabbitUp |= rabbit.poll(500, TimeUnit.MILLISECONDS) != null;
            natsUp |= nats.poll(500, TimeUnit.MILLISECONDS) != null;
        }
        if (!(rabbitUp && natsUp)) {
            throw new AssertionError("the route files in " + m.dataDir().resolve("deploy") + " delivered nothing within "
                    + WAIT.toSeconds() + " s (RabbitMQ: " + rabbitUp + ", NATS: " + natsUp + "); last lines of " + m.logFile()
                    + ":\n" + m.logTail(60));
        }
        Thread.sleep(500);
        rabbit.clear();
        nats.clear();
    }

    /** Waits until route {@code id}'s checkpoint in Ketcd names {@code revision} or later (written at most 1 s apart). */
    private static void awaitCheckpoint(Member m, String id, long revision) {
        String key = "__ketcd/camel/checkpoints/" + id;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        CommandResult r;
        do {
            r = m.ctl("get", key, "--print-value-only");
            String v = r.stdout().strip();
            if (r.ok() && v.matches("\\d+") && Long.parseLong(v) >= revision) {
                return;
            }
            Member.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("checkpoint " + key + " does not reach revision " + revision + " within 15 s: " + r);
    }

    /** Everything but probes, until {@code count} arrived (or the wait ended), plus anything more within 1 s. */
    private static List<Seen> collect(BlockingQueue<Seen> queue, int count) throws InterruptedException {
        List<Seen> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (seen.size() < count && System.nanoTime() < deadline) {
            Seen s = queue.poll(1, TimeUnit.SECONDS);
            if (s != null && !s.key().endsWith("/probe")) {
                seen.add(s);
            }
        }
        // a duplicate or an event of something not written would show up here
        for (Seen s; (s = queue.poll(1, TimeUnit.SECONDS)) != null; ) {
            if (!s.key().endsWith("/probe")) {
                seen.add(s);
            }
        }
        return seen;
    }

    private static long revisionOf(Member m, CommandResult r) throws Exception {
        assertTrue(r.ok(), r::toString);
        JsonNode header = Normalizer.JSON.readTree(r.stdout()).path("header");
        assertTrue(header.path("revision").canConvertToLong(), () -> "no revision in " + r);
        return header.path("revision").asLong();
    }

    /** AMQP: strings arrive as LongString, numbers as Long. */
    private static Seen fromAmqp(AMQP.BasicProperties props, byte[] body) {
        Map<String, Object> h = props.getHeaders() == null ? Map.of() : props.getHeaders();
        return new Seen(text(h.get("KetcdKey")), text(h.get("KetcdEventType")), number(h.get("KetcdRevision")),
                number(h.get("KetcdModRevision")), number(h.get("KetcdCreateRevision")), number(h.get("KetcdVersion")),
                new String(body, StandardCharsets.UTF_8));
    }

    /** NATS: every header is text. */
    private static Seen fromNats(Message message) {
        Headers h = message.getHeaders();
        if (h == null) {
            return new Seen(null, null, -1, -1, -1, -1, new String(message.getData(), StandardCharsets.UTF_8));
        }
        return new Seen(h.getFirst("KetcdKey"), h.getFirst("KetcdEventType"), number(h.getFirst("KetcdRevision")),
                number(h.getFirst("KetcdModRevision")), number(h.getFirst("KetcdCreateRevision")),
                number(h.getFirst("KetcdVersion")), new String(message.getData(), StandardCharsets.UTF_8));
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static long number(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        return o == null ? -1 : Long.parseLong(o.toString());
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
