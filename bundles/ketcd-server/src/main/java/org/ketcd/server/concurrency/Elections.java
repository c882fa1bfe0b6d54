package org.ketcd.server.concurrency;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.ketcd.api.Bytes;
import org.ketcd.api.CampaignResponse;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Event;
import org.ketcd.api.KeyValue;
import org.ketcd.api.LeaderKey;
import org.ketcd.api.LeaderResponse;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RequestOp;
import org.ketcd.api.TxnRequest;

/**
 * etcd's v3election service, as etcd's server builds it on its Election recipe: a campaigner creates
 * {@code name/<lease>} with its value; the key created first leads; the others wait for every key
 * created before theirs to go. The leader changes its value with Proclaim and leaves with Resign
 * (or when its lease ends); Observe follows the leader key.
 */
public final class Elections {
    private final EtcdServer server;
    private final KeyWaits waits;

    public Elections(EtcdServer server, Executor drains) {
        this.server = server;
        this.waits = new KeyWaits(server, drains);
    }

    public CompletableFuture<CampaignResponse> campaign(byte[] name, long lease, byte[] value) {
        byte[] prefix = Recipes.prefix(name);
        byte[] key = Recipes.contenderKey(prefix, lease);
        return waits.inQueue(key, cancel -> server.txn(Recipes.createOrGet(key, value, lease)).thenCompose(created -> {
            LeaderKey leader = new LeaderKey(name, key, Recipes.createRevision(created), lease);
            // Campaigning again with another value: the existing key takes the new value (etcd proclaims it).
            CompletableFuture<?> valueSet = created.succeeded() || Arrays.equals(Recipes.existing(created).value(), value)
                    ? CompletableFuture.completedFuture(null) : proclaim(leader, value);
            return valueSet.thenCompose(v -> waits.awaitDeletes(prefix, leader.revision() - 1, cancel))
                    .thenApply(revision -> new CampaignResponse(revision, leader));
        }));
    }

    public CompletableFuture<Long> proclaim(LeaderKey leader, byte[] value) {
        TxnRequest set = new TxnRequest(List.of(Recipes.createRevisionIs(leader.key(), leader.revision())),
                List.of(RequestOp.put(new PutRequest(leader.key(), value, leader.lease(), false, false, false))), List.of());
        return server.txn(set).thenApply(r -> {
            if (!r.succeeded()) {
                throw EtcdError.ELECTION_NOT_LEADER.exception();
            }
            return r.revision();
        });
    }

    public CompletableFuture<LeaderResponse> leader(byte[] name) {
        return waits.firstCreated(Recipes.prefix(name)).thenApply(r -> {
            if (r.kvs().isEmpty()) {
                throw EtcdError.ELECTION_NO_LEADER.exception();
            }
            return new LeaderResponse(r.revision(), r.kvs().get(0));
        });
    }

    public CompletableFuture<Long> resign(LeaderKey leader) {
        TxnRequest leave = new TxnRequest(List.of(Recipes.createRevisionIs(leader.key(), leader.revision())),
                List.of(RequestOp.delete(new DeleteRangeRequest(leader.key(), Bytes.EMPTY, false))), List.of());
        return server.txn(leave).thenApply(r -> r.revision());
    }

    /**
     * Observe, as etcd's Election.Observe: the leader now (or, if none, the first one to come), then
     * every new value it proclaims; when its key goes, the next leader. Runs until closed.
     */
    public AutoCloseable observe(byte[] name, Consumer<LeaderResponse> observer, Consumer<Throwable> failed) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        follow(Recipes.prefix(name), observer, closed).whenComplete((v, error) -> {
            if (error != null && !closed.isDone()) {
                failed.accept(error);
            }
        });
        return () -> closed.complete(null);
    }

    private CompletableFuture<Void> follow(byte[] prefix, Consumer<LeaderResponse> observer, CompletableFuture<Void> closed) {
        if (closed.isDone()) {
            return CompletableFuture.completedFuture(null);
        }
        return waits.firstCreated(prefix).thenCompose(r -> {
            if (r.kvs().isEmpty()) {
                // nobody leads: wait for the first key under the prefix after this read, then look again
                return waits.nextChange(prefix, Bytes.prefixEnd(prefix), r.revision(), false, closed)
                        .thenCompose(e -> follow(prefix, observer, closed));
            }
            KeyValue leader = r.kvs().get(0);
            observer.accept(new LeaderResponse(r.revision(), leader));
            return followLeader(prefix, leader, observer, closed);
        });
    }

    private CompletableFuture<Void> followLeader(byte[] prefix, KeyValue leader, Consumer<LeaderResponse> observer,
                                                 CompletableFuture<Void> closed) {
        return waits.nextChange(leader.key(), Bytes.EMPTY, leader.modRevision(), false, closed).thenCompose(e -> {
            if (e == null || e.type() == Event.Type.DELETE) {
                return follow(prefix, observer, closed); // the leader left (or history was compacted): who leads now?
            }
            observer.accept(new LeaderResponse(e.revision(), e.kv()));
            return followLeader(prefix, e.kv(), observer, closed);
        });
    }
}
