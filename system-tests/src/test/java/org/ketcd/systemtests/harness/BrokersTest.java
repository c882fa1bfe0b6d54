package org.ketcd.systemtests.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Brokers}: each broker is there (started if needed) and speaks its protocol on its port, directly and
 * through a {@link TcpProxy}. Fast when the brokers already run; RabbitMQ's first start takes ~20 s.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BrokersTest {

    @Test
    void nats_greets_with_info() throws Exception {
        assertEquals("nats://127.0.0.1:4222", Brokers.ensureNats());
        try (Socket s = socket(Brokers.NATS_PORT)) {
            assertTrue(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII).startsWith("INFO "));
        }
        try (TcpProxy proxy = new TcpProxy(Brokers.HOST, Brokers.NATS_PORT); Socket s = socket(proxy.port())) {
            assertTrue(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII).startsWith("INFO "));
        }
    }

    @Test
    void mosquitto_answers_connect_with_connack() throws Exception {
        assertEquals("tcp://127.0.0.1:1883", Brokers.ensureMosquitto());
        try (Socket s = socket(Brokers.MQTT_PORT)) {
            // MQTT 3.1.1 CONNECT, clean session, keep-alive 10 s, client id "ketcd-st"
            byte[] connect = {0x10, 20, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 10, 0, 8, 'k', 'e', 't', 'c', 'd', '-', 's', 't'};
            s.getOutputStream().write(connect);
            byte[] connack = s.getInputStream().readNBytes(4);
            assertEquals(0x20, connack[0] & 0xff, "CONNACK expected");
            assertEquals(0, connack[3], "connection refused, return code " + connack[3]);
        }
    }

    @Test
    void rabbitmq_answers_the_amqp_header_with_connection_start() throws Exception {
        assertEquals("amqp://127.0.0.1:5672", Brokers.ensureRabbitMq());
        try (Socket s = socket(Brokers.AMQP_PORT)) {
            s.getOutputStream().write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(11);
            assertEquals(1, head[0], "a method frame expected");
            assertEquals(10, ((head[7] & 0xff) << 8) | (head[8] & 0xff), "class connection");
            assertEquals(10, ((head[9] & 0xff) << 8) | (head[10] & 0xff), "method start");
        }
    }

    private static Socket socket(int port) throws IOException {
        Socket s = new Socket(Brokers.HOST, port);
        s.setSoTimeout(10_000);
        return s;
    }
}
