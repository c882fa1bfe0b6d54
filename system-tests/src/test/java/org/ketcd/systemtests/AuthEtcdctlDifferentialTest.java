package org.ketcd.systemtests;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.EtcdctlComparison;
import org.ketcd.systemtests.harness.Member;

/**
 * etcd's authentication and RBAC through etcdctl, side by side with a real etcd 3.4: the same user, role and
 * auth commands, with and without {@code --user}, must give the same exit code, output and error on both.
 * The tests build on each other in name order (auth on, users and roles, their rights, taking rights away,
 * auth off), as an operator would go through them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AuthEtcdctlDifferentialTest {
    private static final String ROOT = "--user=root:rootpw";
    private static final String ALICE = "--user=alice:alicepw";

    private EtcdctlComparison ctl;

    @BeforeAll
    void startBoth() {
        Member[] both = Member.startEtcdAndTarget("auth");
        ctl = new EtcdctlComparison(both[0], both[1]);
    }

    @AfterAll
    void stopBoth() {
        if (ctl != null) {
            ctl.close();
        }
    }

    @AfterEach
    void reportDifferences() {
        ctl.reportDifferences();
    }

    @Test
    void a_auth_is_enabled_only_with_a_root_user_that_has_the_root_role() {
        ctl.same("auth", "disable");
        ctl.same("user", "add", "root:rootpw");
        ctl.same("auth", "enable");
        ctl.same("user", "grant-role", "root", "root");
        ctl.same("auth", "enable");
        ctl.same("put", "/k", "no credentials");
        ctl.same("get", "/k");
        ctl.same("--user=root:wrong", "get", "/k");
        ctl.same("--user=nobody:x", "get", "/k");
        ctl.same(ROOT, "put", "/k", "v");
        ctl.same(ROOT, "get", "/k", "-w", "json");
        ctl.same(ROOT, "auth", "enable");
    }

    @Test
    void b_users_roles_and_permissions_are_managed_and_listed_as_etcd_does() {
        ctl.same(ROOT, "role", "add", "app");
        ctl.same(ROOT, "role", "add", "app");
        ctl.same(ROOT, "role", "add", "");
        ctl.same(ROOT, "role", "grant-permission", "app", "read", "/app/", "--prefix");
        ctl.same(ROOT, "role", "grant-permission", "app", "readwrite", "/rw");
        ctl.same(ROOT, "role", "grant-permission", "app", "write", "/w", "/x");
        ctl.same(ROOT, "role", "grant-permission", "app", "read", "/from", "--from-key");
        ctl.same(ROOT, "role", "grant-permission", "missing", "read", "/a");
        ctl.same(ROOT, "role", "get", "app");
        ctl.same(ROOT, "role", "get", "missing");
        ctl.same(ROOT, "user", "add", "alice:alicepw");
        ctl.same(ROOT, "user", "add", "alice:again");
        ctl.same(ROOT, "user", "grant-role", "alice", "app");
        ctl.same(ROOT, "user", "grant-role", "alice", "app");
        ctl.same(ROOT, "user", "grant-role", "alice", "missing");
        ctl.same(ROOT, "user", "grant-role", "nobody", "app");
        ctl.same(ROOT, "user", "get", "alice");
        ctl.same(ROOT, "user", "get", "alice", "--detail");
        ctl.same(ROOT, "user", "get", "nobody");
        ctl.same(ROOT, "user", "list");
        ctl.same(ROOT, "role", "list");
    }

    @Test
    void c_a_user_reads_and_writes_only_inside_its_roles_permissions() {
        ctl.same(ROOT, "put", "/app/x", "1");
        ctl.same(ROOT, "put", "/from/z", "1");
        ctl.same(ALICE, "get", "/app/x");
        ctl.same(ALICE, "get", "/app/", "--prefix");
        ctl.same(ALICE, "get", "/ap", "--prefix");
        ctl.same(ALICE, "get", "/from", "--from-key");
        ctl.same(ALICE, "get", "/k");
        ctl.same(ALICE, "put", "/app/x", "2");
        ctl.same(ALICE, "put", "/rw", "2");
        ctl.same(ALICE, "get", "/rw", "-w", "json");
        ctl.same(ALICE, "put", "/w1", "2");
        ctl.same(ALICE, "get", "/w1");
        ctl.same(ALICE, "del", "/w", "/x");
        ctl.same(ALICE, "del", "/w", "/y");
        ctl.same(ALICE, "del", "/w1", "--prev-kv");
        ctl.same(ALICE, "put", "/rw", "3", "--prev-kv");
        ctl.sameStdin("value(\"/app/x\") = \"1\"\n\nput /rw 4\n\n", ALICE, "txn");
        ctl.sameStdin("value(\"/app/x\") = \"1\"\n\nput /app/x 3\n\n", ALICE, "txn");
        ctl.sameStdin("value(\"/k\") = \"v\"\n\nput /rw 5\n\n", ALICE, "txn");
        ctl.same(ROOT, "get", "", "--prefix", "-w", "json");
    }

    @Test
    void d_management_and_maintenance_need_the_root_role() {
        ctl.same(ALICE, "user", "list");
        ctl.same(ALICE, "role", "list");
        ctl.same(ALICE, "user", "get", "alice");
        ctl.same(ALICE, "user", "get", "root");
        ctl.same(ALICE, "role", "get", "app");
        ctl.same(ALICE, "role", "get", "root");
        ctl.same(ALICE, "user", "add", "mallory:x");
        ctl.same(ALICE, "role", "grant-permission", "app", "readwrite", "", "--from-key");
        ctl.same(ALICE, "auth", "disable");
        ctl.same(ALICE, "endpoint", "hashkv");
        ctl.same(ALICE, "defrag");
        ctl.same(ALICE, "member", "add", "m2", "--peer-urls=http://127.0.0.1:1");
        ctl.same(ROOT, "endpoint", "health");
    }

    @Test
    void e_revoking_roles_permissions_and_users_takes_their_rights_away() {
        ctl.same(ROOT, "role", "revoke-permission", "app", "/nothing");
        ctl.same(ROOT, "role", "revoke-permission", "app", "/app/", "--prefix");
        ctl.same(ROOT, "role", "get", "app");
        ctl.same(ALICE, "get", "/app/x");
        ctl.same(ROOT, "user", "revoke-role", "alice", "app");
        ctl.same(ROOT, "user", "revoke-role", "alice", "app");
        ctl.same(ALICE, "get", "/rw");
        ctl.same(ROOT, "user", "grant-role", "alice", "app");
        ctl.same(ROOT, "role", "delete", "app");
        ctl.same(ROOT, "user", "get", "alice");
        ctl.sameStdin("newpw", ROOT, "user", "passwd", "alice", "--interactive=false");
        ctl.same(ALICE, "get", "/rw");
        ctl.same("--user=alice:newpw", "get", "/rw");
        ctl.same(ROOT, "user", "delete", "alice");
        ctl.same(ROOT, "user", "delete", "alice");
        ctl.same("--user=alice:newpw", "get", "/rw");
    }

    @Test
    void f_root_stays_while_auth_is_on_and_auth_disable_opens_the_store_again() {
        ctl.same(ROOT, "user", "delete", "root");
        ctl.same(ROOT, "role", "delete", "root");
        ctl.same(ROOT, "user", "revoke-role", "root", "root");
        ctl.same(ROOT, "user", "add", "root:again");
        ctl.same("auth", "disable");
        ctl.same(ROOT, "auth", "disable");
        ctl.same("get", "/k");
        ctl.same(ROOT, "get", "/k");
        ctl.same("user", "list");
        ctl.same("user", "revoke-role", "root", "root");
        ctl.same("user", "delete", "root");
        ctl.same("user", "list");
    }
}
