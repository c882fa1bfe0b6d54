package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.server.LocalCluster;
import org.ketcd.server.RealEtcd;
import org.ketcd.server.config.ConfigException;

/**
 * --discovery-endpoints / --discovery-token: etcd's v3 discovery protocol over the v3 KV API, with a
 * real etcd 3.4 and a Ketcd member as the discovery cluster.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class V3DiscoveryTest {
    @TempDir
    Path dir;

    @Test
    void threeMembersFormOneClusterThroughARealEtcdAndAFourthIsRefusedAsFull() throws Exception {
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("etcd"))) {
            assertEquals("OK", etcd.etcdctl("put", "/_etcd/registry/tok-etcd/_config/size", "3"));
            bootstrapThreeThenRefuseAFourth(etcd.clientUrl(), "tok-etcd");
            String registered = etcd.etcdctl("get", "--prefix", "--keys-only", "/_etcd/registry/tok-etcd/members/");
            assertEquals(3, registered.lines().filter(l -> !l.isBlank()).count(), registered);
        }
    }

    @Test
    void threeMembersFormOneClusterThroughAKetcdMemberAndAFourthIsRefusedAsFull() throws Exception {
        try (GrpcCluster discovery = GrpcCluster.start(dir.resolve("ketcd-discovery"), 1)) {
            Client client = discovery.client(0);
            client.getKVClient().put(utf8("/_etcd/registry/tok-ketcd/_config/size"), utf8("3")).get(20, TimeUnit.SECONDS);
            bootstrapThreeThenRefuseAFourth(discovery.clientUrl(0), "tok-ketcd");
            assertEquals(3, client.getKVClient().get(utf8("/_etcd/registry/tok-ketcd/members/"),
                    GetOption.builder().isPrefix(true).build()).get(20, TimeUnit.SECONDS).getKvs().size());
        }
    }

    @Test
    void aTokenWithoutSizeIsRefusedWithEtcdsError() throws Exception {
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("etcd")); LocalCluster cluster = LocalCluster.prepare(dir, 1, "x")) {
            cluster.discoverByV3(etcd.clientUrl(), "no-size", new V3DiscoveryClient());
            ConfigException e = assertThrows(ConfigException.class, () -> cluster.config(0).initialCluster(new V3DiscoveryClient()));
            assertEquals("failed to join discovery cluster (discovery: size key not found); discovery token no-size was used, "
                    + "but failed to bootstrap the cluster. please generate a new discovery token and try to bootstrap again.",
                    e.getMessage());
        }
    }

    private void bootstrapThreeThenRefuseAFourth(String endpoints, String token) throws Exception {
        try (LocalCluster cluster = LocalCluster.prepare(dir.resolve(token), 3, "unused")) {
            cluster.discoverByV3(endpoints, token, new V3DiscoveryClient()).startAll();
            Set<Long> clusterIds = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                clusterIds.add(cluster.member(i).server().header(0).clusterId());
                assertEquals(3, cluster.member(i).server().members().size());
            }
            assertEquals(1, clusterIds.size(), "one cluster");
            int late = cluster.addSlot();
            ConfigException full = assertThrows(ConfigException.class,
                    () -> cluster.config(late).initialCluster(new V3DiscoveryClient()));
            assertEquals("failed to join discovery cluster (discovery: cluster is full); discovery token " + token
                    + " was used, but failed to bootstrap the cluster. please generate a new discovery token and try to"
                    + " bootstrap again.", full.getMessage());
        }
    }

    private static ByteSequence utf8(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
