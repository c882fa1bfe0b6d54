package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;

/**
 * --config-file: etcd and bin/ketcd started with etcd's YAML configuration file take every setting from it (the
 * name, data dir and URLs there, an empty value as the default, the transport-security blocks) and ignore the
 * flags given besides, as etcd 3.4 does.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConfigFileDifferentialTest {
    enum Server { ETCD, KETCD }

    @ParameterizedTest
    @EnumSource(Server.class)
    void aMemberStartedWithAConfigFileServesWithItsSettingsAndIgnoresOtherFlags(Server server) throws Exception {
        Member member = Member.prepare(server == Server.ETCD ? Member.Kind.ETCD : Member.Kind.target(), "cfgfile");
        try {
            String name = member.name() + "-from-file";
            Path file = Files.createDirectories(member.dataDir().getParent()).resolve(member.name() + ".conf.yml");
            Files.writeString(file, String.join("\n",
                    "name: '" + name + "'",
                    "data-dir: " + member.dataDir(),
                    "wal-dir:",
                    "snapshot-count: 10000",
                    "listen-client-urls: " + member.endpoint(),
                    "advertise-client-urls: " + member.endpoint(),
                    "listen-peer-urls: " + member.peerUrl(),
                    "initial-advertise-peer-urls: " + member.peerUrl(),
                    "initial-cluster: " + name + "=" + member.peerUrl(),
                    "initial-cluster-token: 'config-file'",
                    "initial-cluster-state: 'new'",
                    "client-transport-security:",
                    "  cert-file:",
                    "  client-cert-auth: false",
                    "  auto-tls: false",
                    "log-outputs: [stderr]",
                    "auto-compaction-retention: \"1\"",
                    ""));
            // the harness also gives --name <member> and its own flags: the file replaces them all
            member.startAlone("--config-file", file.toString());
            CommandResult put = member.ctl("put", "/from/config-file", "1");
            assertTrue(put.ok(), put.describe());
            CommandResult members = member.ctl("member", "list");
            assertTrue(members.ok(), members.describe());
            assertEquals(1, members.stdout().lines().count(), members.stdout());
            assertTrue(members.stdout().contains(", " + name + ", "), members.stdout());
        } finally {
            member.close();
        }
    }
}
