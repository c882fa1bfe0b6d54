package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Dnsmasq;
import org.ketcd.systemtests.harness.Member;
import org.ketcd.systemtests.harness.Normalizer;

/**
 * Three bin/ketcd members started with --discovery-srv find each other through _etcd-server._tcp SRV
 * records served by a real DNS server (dnsmasq on loopback). Real etcd reads only the system resolver,
 * which a test may not change, so this runs against Ketcd alone.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SrvDiscoveryClusterTest {

    @Test
    void three_members_started_with_discovery_srv_form_one_cluster() {
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            members.add(Member.prepare(Member.Kind.KETCD, "srv-" + i));
        }
        List<String> records = new ArrayList<>();
        members.forEach(m -> records.add("_etcd-server._tcp.ketcd.test,127.0.0.1," + m.peerPort()));
        Path log = members.get(0).logFile().resolveSibling("dnsmasq.log");
        try (Dnsmasq dns = Dnsmasq.serve(log, "test", records)) {
            Member.startBySrv(members, "ketcd.test", dns.address());
            CommandResult list = members.get(0).ctl("member", "list", "-w", "json");
            assertEquals(3, Normalizer.json(list).path("members").size(), list::toString);
            assertTrue(members.get(1).ctl("put", "/srv/k", "v").ok());
            CommandResult got = members.get(2).ctl("get", "/srv/k", "--print-value-only");
            assertEquals("v", got.stdout().strip(), got::toString);
        } finally {
            members.forEach(Member::close);
        }
    }
}
