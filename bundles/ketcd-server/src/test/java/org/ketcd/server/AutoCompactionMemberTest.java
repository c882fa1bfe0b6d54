package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.PutRequest;
import org.ketcd.server.config.ServerConfig;

class AutoCompactionMemberTest {
    @TempDir
    Path dir;


    @Test
    void aMemberWithPeriodicRetentionCompactsItsHistoryByItself() throws Exception {
        int peer = TestPorts.next();
        ServerConfig config = ServerConfig.resolve(new String[] {"--data-dir", dir.resolve("d").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + TestPorts.next(), "--advertise-client-urls", "http://127.0.0.1:1",
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--auto-compaction-retention", "1s"}, Map.of(), Map.of());
        try (EtcdMember m = EtcdMember.start(config)) {
            long deadline = System.currentTimeMillis() + 20_000;
            long compacted = -1;
            int i = 0;
            while (compacted <= 0 && System.currentTimeMillis() < deadline) {
                m.server().put(PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v" + i++))).get(10, TimeUnit.SECONDS);
                Thread.sleep(100);
                compacted = m.server().hashKv(0).get(10, TimeUnit.SECONDS).compactRevision();
            }
            assertTrue(compacted > 0, "no automatic compaction within 20 s");
        }
    }
}
