package org.ketcd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
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

/** --discovery &lt;url&gt;: etcd's v2 discovery protocol, with a real etcd 3.4 (--enable-v2) as the discovery service. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class V2DiscoveryTest {
    @TempDir
    Path dir;

    @Test
    void threeMembersFormOneClusterThroughAV2DiscoveryUrlAndAFourthIsRefusedAsFull() throws Exception {
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("discovery")); LocalCluster cluster = LocalCluster.prepare(dir, 3, "unused")) {
            String url = etcd.v2DiscoveryUrl("token-3", 3);
            cluster.discoverByV2(url).startAll();
            Set<Long> clusterIds = new HashSet<>();
            String registered = etcd.v2Get(url);
            for (int i = 0; i < 3; i++) {
                clusterIds.add(cluster.member(i).server().header(0).clusterId());
                assertEquals(3, cluster.member(i).server().members().size());
                // registered under its member id, which derives from its peer URL and the discovery URL (etcd's ids)
                String id = Long.toHexString(cluster.member(i).memberId());
                assertEquals(Long.toHexString(MemberIdentity.memberId(java.util.List.of(java.net.URI.create(cluster.peerUrl(i))), url)), id);
                assertTrue(registered.contains("\"key\":\"/token-3/" + id + "\",\"value\":\"m" + (i + 1) + "="
                        + cluster.peerUrl(i) + "\""), registered);
            }
            assertEquals(1, clusterIds.size(), "one cluster");
            cluster.member(0).server().put(PutRequest.of(Bytes.utf8("/found"), Bytes.utf8("by-v2-discovery"))).get(20, TimeUnit.SECONDS);
            assertArrayEquals(Bytes.utf8("by-v2-discovery"), cluster.member(2).server()
                    .range(RangeRequest.of(Bytes.utf8("/found"), Bytes.EMPTY)).get(20, TimeUnit.SECONDS).kvs().get(0).value());

            int late = cluster.addSlot();
            ConfigException full = assertThrows(ConfigException.class, () -> cluster.config(late).initialCluster());
            assertEquals("failed to join discovery cluster (discovery: cluster is full); discovery token " + url
                    + " was used, but failed to bootstrap the cluster. please generate a new discovery token and try to"
                    + " bootstrap again.", full.getMessage());
            ConfigException noProxy = assertThrows(ConfigException.class,
                    () -> cluster.config(late, "--discovery-fallback", "proxy").initialCluster());
            assertTrue(noProxy.getMessage().startsWith("failed to join discovery cluster (discovery: cluster is full); "
                    + "--discovery-fallback=proxy is not supported by Ketcd"), noProxy.getMessage());
            assertEquals(3, etcd.v2Get(url).split("\"createdIndex\"").length - 2, "a member refused as late registers nothing: "
                    + etcd.v2Get(url));
        }
    }

    @Test
    void aTokenWithoutSizeFailsWithTheKeysApisErrorAsEtcdReportsIt() throws Exception {
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("discovery"))) {
            ServerConfig config = ServerConfig.resolve(new String[] {"--name", "m1", "--discovery",
                    etcd.clientUrl() + "/v2/keys/nosize", "--discovery-fallback", "exit"}, Map.of(), Map.of());
            String message = assertThrows(ConfigException.class, config::initialCluster).getMessage();
            assertTrue(message.matches("failed to join discovery cluster \\(100: Key not found \\(/nosize\\) \\[\\d+\\]\\); "
                    + "discovery token .* was used, but failed to bootstrap the cluster\\..*"), message);

            etcd.v2DiscoveryUrl("badsize", 0);
            ServerConfig bad = ServerConfig.resolve(new String[] {"--name", "m1", "--discovery",
                    etcd.clientUrl() + "/v2/keys/badsize"}, Map.of(), Map.of());
            assertTrue(assertThrows(ConfigException.class, bad::initialCluster).getMessage()
                    .startsWith("failed to join discovery cluster (discovery: size key is bad)"));
        }
    }

    @Test
    void discoveryWithAnotherBootstrapSourceOrABadFallbackIsRefusedWithEtcdsMessages() {
        assertEquals("multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or "
                + "\"discovery-srv\"", assertThrows(ConfigException.class, () -> ServerConfig.resolve(new String[] {
                "--discovery", "http://127.0.0.1:1/v2/keys/t", "--initial-cluster", "default=http://localhost:2380"},
                Map.of(), Map.of())).getMessage());
        assertEquals("invalid value \"foo\" for flag -discovery-fallback: invalid value", assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--discovery-fallback", "foo"}, Map.of(), Map.of())).getMessage());
        assertEquals("both --discovery-token and --discovery-endpoints must be set", assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[] {"--discovery-token", "t"}, Map.of(), Map.of())).getMessage());
        assertEquals("multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery-endpoints\" "
                + "or \"discovery-srv\"", assertThrows(ConfigException.class, () -> ServerConfig.resolve(new String[] {
                "--discovery-token", "t", "--discovery-endpoints", "http://127.0.0.1:1", "--discovery-srv", "x.test"},
                Map.of(), Map.of())).getMessage());
    }
}
