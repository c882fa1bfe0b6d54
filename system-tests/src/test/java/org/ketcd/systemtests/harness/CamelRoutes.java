package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/** Route files for members started with {@code --karaf-features ketcd-camel-...}, and waiting for them to deliver. */
public final class CamelRoutes {
    private CamelRoutes() {
    }

    /**
     * The route {@code payments-to-mqtt}: every change under {@code /config/payments/} as a JSON envelope to
     * {@code <topicRoot>/<member name><key>} through {@code brokerUrl}; with {@code master}, only the member
     * leading Ketcd's election {@code payments} delivers.
     */
    public static String paymentsToMqtt(String topicRoot, String memberName, String brokerUrl, boolean master) {
        String from = (master ? "master:payments:" : "") + "ketcd:/config/payments/?prefix=true&envelope=json&charset=UTF-8";
        return """
                - route:
                    id: payments-to-mqtt
                    from:
                      uri: "%s"
                      steps:
                        - setHeader:
                            name: CamelPahoMqtt5OverrideTopic
                            simple: "%s/%s${header.KetcdKey}"
                        - to: "paho-mqtt5:ketcd?brokerUrl=%s&qos=1&clientId=%s-%s"
                """.formatted(from, topicRoot, memberName, brokerUrl, topicRoot.replace('/', '-'), memberName);
    }

    /** Writes a route file into the member's deploy folder (whole, by a rename, so FileInstall never reads half). */
    public static Path deploy(Member m, String fileName, String content) throws IOException {
        Path deploy = m.dataDir().resolve("deploy");
        Files.createDirectories(deploy);
        Path tmp = Files.createTempFile(m.dataDir(), "route", ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        return Files.move(tmp, deploy.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Puts {@code probeKey} until an event of it reaches the subscriber: the route runs (Karaf installs the
     * features and FileInstall finds the file some seconds after the member serves).
     */
    public static void awaitDelivering(Member writeThrough, MqttSubscriber subscriber, String probeKey, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int before = subscriber.received().size();
            writeThrough.ctl("put", probeKey, "probe");
            if (subscriber.awaitKey(probeKey, before, 1000)) {
                return;
            }
        }
        throw new AssertionError("no event of " + probeKey + " reached the MQTT subscriber within " + timeout
                + "; last lines of " + writeThrough.logFile() + ":\n" + writeThrough.logTail(40));
    }
}
