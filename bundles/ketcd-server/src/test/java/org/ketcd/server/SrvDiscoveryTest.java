package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.api.Bytes;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.server.config.ConfigException;
import org.ketcd.server.config.ServerConfig;

/** --discovery-srv: members find each other in DNS SRV records served by a real DNS server (dnsmasq). */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SrvDiscoveryTest {
    @TempDir
    Path dir;

    @Test
    void threeMembersBootstrapFromTheSrvRecordsOfTheirDomain() throws Exception {
        LocalCluster cluster = LocalCluster.prepare(dir, 3, "srv");
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            records.add("_etcd-server._tcp.ketcd.test,127.0.0.1," + cluster.peerPort(i));
        }
        try (Dnsmasq dns = Dnsmasq.serve(dir, "test", records); cluster) {
            cluster.discoverBySrv("ketcd.test", dns.address()).startAll();
            Set<Long> clusterIds = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                clusterIds.add(cluster.member(i).server().header(0).clusterId());
                assertEquals(3, cluster.member(i).server().members().size());
            }
            assertEquals(1, clusterIds.size(), "one cluster");
            cluster.member(0).server().put(PutRequest.of(Bytes.utf8("/srv"), Bytes.utf8("found"))).get(20, TimeUnit.SECONDS);
            assertArrayEquals(Bytes.utf8("found"), cluster.member(2).server()
                    .range(RangeRequest.of(Bytes.utf8("/srv"), Bytes.EMPTY)).get(20, TimeUnit.SECONDS).kvs().get(0).value());
        }
    }

    @Test
    void aDomainWithoutRecordsOrAlsoAnInitialClusterIsRefusedClearly() throws Exception {
        try (Dnsmasq dns = Dnsmasq.serve(dir, "test", List.of("_etcd-server._tcp.other.test,127.0.0.1,2380"))) {
            ServerConfig none = ServerConfig.resolve(new String[] {"--discovery-srv", "ketcd.test"},
                    Map.of("KETCD_DNS_SERVERS", dns.address()), Map.of());
            ConfigException e = assertThrows(ConfigException.class, none::initialCluster);
            assertTrue(e.getMessage().startsWith("error setting up initial cluster: no SRV records for _etcd-server._tcp.ketcd.test"),
                    e.getMessage());

            ServerConfig notListed = ServerConfig.resolve(new String[] {"--name", "me", "--discovery-srv", "other.test",
                    "--initial-advertise-peer-urls", "http://127.0.0.1:2999"}, Map.of("KETCD_DNS_SERVERS", dns.address()), Map.of());
            assertEquals("couldn't find local name \"me\" in the initial cluster configuration",
                    assertThrows(ConfigException.class, notListed::initialCluster).getMessage());
        }
        ConfigException both = assertThrows(ConfigException.class, () -> ServerConfig.resolve(new String[] {
                "--discovery-srv", "ketcd.test", "--initial-cluster", "default=http://localhost:2380"}, Map.of(), Map.of()));
        assertEquals("multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or "
                + "\"discovery-srv\"", both.getMessage());
    }
}
