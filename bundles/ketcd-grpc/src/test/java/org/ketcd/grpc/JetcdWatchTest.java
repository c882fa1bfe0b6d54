package org.ketcd.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jetcd's Watch client against a 3-member cluster: etcd's ordered, atomic, resumable watches. The
 * leader kill runs last, as it leaves the cluster with two members.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JetcdWatchTest {
    /** Short, so that an idle watcher's periodic progress notification arrives within the test. */
    static final String PROGRESS_INTERVAL = "300ms";

    @TempDir
    static Path dir;
    static GrpcCluster cluster;
    static final List<Client> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = GrpcCluster.start(dir, 3, "--experimental-watch-progress-notify-interval", PROGRESS_INTERVAL);
    }

    @AfterAll
    static void stop() throws Exception {
        clients.forEach(Client::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    static Client client(int member) {
        Client c = Client.builder().endpoints(cluster.clientUrl(member)).build();
        clients.add(c);
        return c;
    }

    static ByteSequence b(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String show(WatchEvent e) {
        String kv = e.getKeyValue().getKey().toString(StandardCharsets.UTF_8)
                + (e.getEventType() == WatchEvent.EventType.PUT ? "=" + e.getKeyValue().getValue().toString(StandardCharsets.UTF_8) : "")
                + "@" + e.getKeyValue().getModRevision();
        String prev = e.getPrevKV() == null || e.getPrevKV().getKey().isEmpty() ? ""
                : " prev=" + e.getPrevKV().getValue().toString(StandardCharsets.UTF_8);
        return e.getEventType() + " " + kv + prev;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Puts, retrying while the cluster has no leader (after a kill). */
    static long putRetrying(Client c, String k, String v) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return get(c.getKVClient().put(b(k), b(v))).getHeader().getRevision();
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void aPrefixWatchOnAFollowerSeesEveryPutAndDeleteInOrderWithPrevKv() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Client watcher = client(1);
        Client writer = client(0);
        // From an explicit revision: jetcd's watch() returns before the server created the watch, and a watch "from
        // now" created after the first put would rightly not show it.
        long from = get(watcher.getKVClient().get(b("cfg/"))).getHeader().getRevision() + 1;
        try (Watch.Watcher w = watcher.getWatchClient().watch(b("cfg/"),
                WatchOption.builder().isPrefix(true).withPrevKV(true).withRevision(from).build(),
                r -> r.getEvents().forEach(e -> seen.add(show(e))))) {
            long r1 = get(writer.getKVClient().put(b("cfg/a"), b("1"))).getHeader().getRevision();
            get(writer.getKVClient().put(b("other"), b("x")));
            long r2 = get(writer.getKVClient().put(b("cfg/a"), b("2"))).getHeader().getRevision();
            long r3 = get(writer.getKVClient().delete(b("cfg/a"))).getHeader().getRevision();
            await(() -> seen.size() == 3, "3 events, have " + seen);
            assertEquals(List.of("PUT cfg/a=1@" + r1, "PUT cfg/a=2@" + r2 + " prev=1", "DELETE cfg/a@" + r3 + " prev=2"), seen);
        }
    }

    @Test
    void theEventsOfATransactionArriveInOneResponse() throws Exception {
        List<List<String>> responses = new CopyOnWriteArrayList<>();
        Client c = client(2);
        long from = get(c.getKVClient().get(b("txn/"))).getHeader().getRevision() + 1; // see above: not "from now"
        try (Watch.Watcher w = c.getWatchClient().watch(b("txn/"), WatchOption.builder().isPrefix(true).withRevision(from).build(),
                r -> responses.add(r.getEvents().stream().map(JetcdWatchTest::show).toList()))) {
            get(c.getKVClient().put(b("txn/gone"), b("0")));
            long rev = get(c.getKVClient().txn().Then(Op.put(b("txn/x"), b("1"), PutOption.DEFAULT),
                    Op.delete(b("txn/gone"), DeleteOption.DEFAULT), Op.put(b("txn/y"), b("2"), PutOption.DEFAULT)).commit())
                    .getHeader().getRevision();
            await(() -> responses.size() == 2, "2 responses, have " + responses);
            assertEquals(List.of("PUT txn/x=1@" + rev, "DELETE txn/gone@" + rev, "PUT txn/y=2@" + rev), responses.get(1));
        }
    }

    @Test
    void aWatchFromACompactedRevisionIsCanceledWithCompactedException() throws Exception {
        Client c = client(0);
        long first = get(c.getKVClient().put(b("old"), b("1"))).getHeader().getRevision();
        long second = get(c.getKVClient().put(b("old"), b("2"))).getHeader().getRevision();
        get(c.getKVClient().compact(second));
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        try (Watch.Watcher w = c.getWatchClient().watch(b("old"), WatchOption.builder().withRevision(first).build(),
                Watch.listener(r -> { }, error::complete))) {
            Throwable t = error.get(30, TimeUnit.SECONDS);
            CompactedException compacted = assertInstanceOf(CompactedException.class, t);
            assertEquals(second, compacted.getCompactedRevision());
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void aClientResumingOnAnotherMemberAfterTheLeaderIsKilledSeesExactlyTheMissingEvents() throws Exception {
        int leader = cluster.leader();
        int other = (leader + 1) % 3;
        Client onLeader = client(leader);
        Client onOther = client(other);
        List<WatchEvent> before = new CopyOnWriteArrayList<>();
        Watch.Watcher first = onLeader.getWatchClient().watch(b("job/"), WatchOption.builder().isPrefix(true).build(),
                Watch.listener(r -> before.addAll(r.getEvents()), e -> { }));
        for (int i = 0; i < 20; i++) {
            putRetrying(onOther, "job/" + (i % 4), "before" + i);
        }
        await(() -> before.size() == 20, "20 events before the kill, have " + before.size());
        long lastSeen = before.get(before.size() - 1).getKeyValue().getModRevision();
        first.close();
        cluster.stop(leader);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long rev = putRetrying(onOther, "job/" + (i % 4), "after" + i);
            expected.add("PUT job/" + (i % 4) + "=after" + i + "@" + rev);
        }
        List<String> resumed = new CopyOnWriteArrayList<>();
        try (Watch.Watcher w = onOther.getWatchClient().watch(b("job/"),
                WatchOption.builder().isPrefix(true).withRevision(lastSeen + 1).build(),
                r -> r.getEvents().forEach(e -> resumed.add(show(e))))) {
            long end = putRetrying(onOther, "job/end", "x");
            expected.add("PUT job/end=x@" + end);
            await(() -> resumed.size() >= expected.size(), "resumed events, have " + resumed);
            assertEquals(expected, resumed, "no gap, no duplicate, in order");
        }
        assertTrue(lastSeen < Long.parseLong(expected.get(0).substring(expected.get(0).indexOf('@') + 1)));
    }

    @Test
    void anIdleWatcherThatAskedForProgressNotifyGetsItAtTheConfiguredInterval() throws Exception {
        Client c = client(2);
        List<WatchResponse> progress = new CopyOnWriteArrayList<>();
        List<WatchResponse> withoutAsking = new CopyOnWriteArrayList<>();
        try (Watch.Watcher asked = c.getWatchClient().watch(b("idle"), WatchOption.builder().withProgressNotify(true).build(),
                r -> {
                    if (r.isProgressNotify()) {
                        progress.add(r);
                    }
                });
             Watch.Watcher notAsked = c.getWatchClient().watch(b("idle"), WatchOption.builder().build(), withoutAsking::add)) {
            await(() -> progress.size() >= 2, "two progress notifications, have " + progress.size());
            assertTrue(withoutAsking.stream().noneMatch(WatchResponse::isProgressNotify), "only for watchers that asked");
        }
    }

    @Test
    void progressRequestsAnswerWithTheRevisionAnIdleWatchHasReached() throws Exception {
        Client c = client(1);
        List<WatchResponse> progress = new CopyOnWriteArrayList<>();
        try (Watch.Watcher w = c.getWatchClient().watch(b("quiet"), WatchOption.builder().build(), r -> {
            if (r.isProgressNotify()) {
                progress.add(r);
            }
        })) {
            long rev = putRetrying(client(0), "noise", "1");
            await(() -> cluster.member(1).server().currentRevision() >= rev, "member 1 applied " + rev);
            w.requestProgress();
            await(() -> !progress.isEmpty(), "a progress response");
            assertTrue(progress.get(0).getHeader().getRevision() >= rev, "progress at " + progress.get(0).getHeader().getRevision());
        }
    }
}
