package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketcd.server.EtcdMember;
import org.ketcd.server.config.ServerConfig;

/** jetcd, the Java etcd client, against a real member (Raft, Derby) through the gRPC endpoint. */
class JetcdKvTest {
    @TempDir
    static Path dir;
    static EtcdMember member;
    static GrpcEndpoint endpoint;
    static Client client;
    static KV kv;

    @BeforeAll
    static void start() throws Exception {
        int clientPort = org.ketcd.server.TestPorts.next();
        int peerPort = org.ketcd.server.TestPorts.next();
        String clientUrl = "http://127.0.0.1:" + clientPort;
        String peerUrl = "http://127.0.0.1:" + peerPort;
        ServerConfig config = ServerConfig.resolve(new String[] {"--data-dir", dir.resolve("d").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl, "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl, "--max-request-bytes", "65536", "--max-txn-ops", "4"}, Map.of(), Map.of());
        member = EtcdMember.start(config);
        endpoint = GrpcEndpoint.start(member.server(), config.listenClientUrls());
        client = Client.builder().endpoints(clientUrl).build();
        kv = client.getKVClient();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        if (member != null) {
            member.close();
        }
    }

    private static ByteSequence b(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String s(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    @Test
    void putThenGetReturnsTheValueWithItsRevisions() throws Exception {
        long rev = await(kv.put(b("greeting"), b("hello"))).getHeader().getRevision();
        GetResponse got = await(kv.get(b("greeting")));
        assertEquals(1, got.getKvs().size());
        assertEquals("hello", s(got.getKvs().get(0).getValue()));
        assertEquals(rev, got.getKvs().get(0).getModRevision());
        assertEquals(rev, got.getKvs().get(0).getCreateRevision());
        assertEquals(1, got.getKvs().get(0).getVersion());
        assertTrue(got.getHeader().getMemberId() != 0 && got.getHeader().getClusterId() != 0);
    }

    @Test
    void prefixGetWithLimitReportsMoreAndTheFullCount() throws Exception {
        for (int i = 0; i < 5; i++) {
            await(kv.put(b("pfx/" + i), b("v" + i)));
        }
        GetResponse got = await(kv.get(b("pfx/"), GetOption.builder().isPrefix(true).withLimit(2).build()));
        assertEquals(2, got.getKvs().size());
        assertEquals(5, got.getCount());
        assertTrue(got.isMore());
        assertEquals("pfx/0", s(got.getKvs().get(0).getKey()));
    }

    @Test
    void compareAndSwapTxnTakesTheBranchItsCompareSelects() throws Exception {
        await(kv.put(b("cas"), b("old")));
        TxnResponse won = await(kv.txn().If(new Cmp(b("cas"), Cmp.Op.EQUAL, CmpTarget.value(b("old"))))
                .Then(Op.put(b("cas"), b("new"), PutOption.DEFAULT)).Else(Op.get(b("cas"), GetOption.DEFAULT)).commit());
        assertTrue(won.isSucceeded());
        TxnResponse lost = await(kv.txn().If(new Cmp(b("cas"), Cmp.Op.EQUAL, CmpTarget.value(b("old"))))
                .Then(Op.put(b("cas"), b("newer"), PutOption.DEFAULT)).Else(Op.get(b("cas"), GetOption.DEFAULT)).commit());
        assertFalse(lost.isSucceeded());
        assertEquals("new", s(lost.getGetResponses().get(0).getKvs().get(0).getValue()));
    }

    @Test
    void aTxnThatOnlyComparesAndReadsAddsNoRaftLogEntry() throws Exception {
        await(kv.put(b("ro"), b("1")));
        long indexBefore = settledRaftIndex();
        TxnResponse r = await(kv.txn().If(new Cmp(b("ro"), Cmp.Op.EQUAL, CmpTarget.value(b("1"))))
                .Then(Op.get(b("ro"), GetOption.DEFAULT)).Else(Op.get(b("other"), GetOption.DEFAULT)).commit());
        assertTrue(r.isSucceeded());
        assertEquals("1", s(r.getGetResponses().get(0).getKvs().get(0).getValue()));
        assertEquals(indexBefore, await(client.getMaintenanceClient().statusMember(endpointUri())).getRaftIndex());
    }

    /**
     * The Raft index once it stops moving: after a commit Ratis appends a metadata entry of its own (the commit index,
     * for followers), a moment later; read before it, the index moved by one with no request in between.
     */
    private long settledRaftIndex() throws Exception {
        long index = await(client.getMaintenanceClient().statusMember(endpointUri())).getRaftIndex();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(100);
            long now = await(client.getMaintenanceClient().statusMember(endpointUri())).getRaftIndex();
            if (now == index) {
                return index;
            }
            index = now;
        }
        throw new AssertionError("the Raft index still moves 5 s after the last write: " + index);
    }

    @Test
    void deleteWithPrevKvReturnsWhatWasDeleted() throws Exception {
        await(kv.put(b("del/a"), b("1")));
        await(kv.put(b("del/b"), b("2")));
        var deleted = await(kv.delete(b("del/"), DeleteOption.builder().isPrefix(true).withPrevKV(true).build()));
        assertEquals(2, deleted.getDeleted());
        assertEquals(List.of("1", "2"), deleted.getPrevKvs().stream().map(k -> s(k.getValue())).toList());
        assertEquals(0, await(kv.get(b("del/a"))).getCount());
    }

    @Test
    void readingACompactedRevisionFailsWithEtcdsError() throws Exception {
        long first = await(kv.put(b("hist"), b("1"))).getHeader().getRevision();
        long second = await(kv.put(b("hist"), b("2"))).getHeader().getRevision();
        assertEquals("1", s(await(kv.get(b("hist"), GetOption.builder().withRevision(first).build())).getKvs().get(0).getValue()));
        await(kv.compact(second));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> await(kv.get(b("hist"), GetOption.builder().withRevision(first).build())));
        assertTrue(e.getCause().getMessage().contains("etcdserver: mvcc: required revision has been compacted"), e.getCause().getMessage());
    }

    @Test
    void aRequestOverMaxRequestBytesIsTooLarge() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> await(kv.put(b("big"), ByteSequence.from(new byte[70_000]))));
        assertTrue(e.getCause().getMessage().contains("etcdserver: request is too large"), e.getCause().getMessage());
    }

    @Test
    void aTxnOverMaxTxnOpsIsRefused() {
        Op[] ops = new Op[5];
        for (int i = 0; i < ops.length; i++) {
            ops[i] = Op.put(b("t" + i), b("v"), PutOption.DEFAULT);
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(kv.txn().Then(ops).commit()));
        assertTrue(e.getCause().getMessage().contains("etcdserver: too many operations in txn request"), e.getCause().getMessage());
    }

    @Test
    void statusMemberListAndHashKvDescribeTheSingleMember() throws Exception {
        await(kv.put(b("status"), b("x")));
        var status = await(client.getMaintenanceClient().statusMember(endpointUri()));
        assertEquals(status.getHeader().getMemberId(), status.getLeader());
        assertTrue(status.getRaftIndex() > 0);
        assertEquals(status.getRaftIndex(), status.getRaftAppliedIndex());
        var members = await(client.getClusterClient().listMember()).getMembers();
        assertEquals(1, members.size());
        assertEquals("default", members.get(0).getName());
        var h1 = await(client.getMaintenanceClient().hashKV(endpointUri(), 0));
        var h2 = await(client.getMaintenanceClient().hashKV(endpointUri(), 0));
        assertEquals(h1.getHash(), h2.getHash());
    }

    private static String endpointUri() {
        return "http://127.0.0.1:" + endpoint.ports().get(0);
    }
}
