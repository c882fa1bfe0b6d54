package org.ketcd.server.concurrency;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.ketcd.api.Bytes;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.LockResponse;

/**
 * etcd's v3lock service, as etcd's server builds it on its Mutex recipe: each contender creates
 * {@code name/<lease>} under its lease; the key created first holds the lock; the others wait, each
 * for the key created just before its own to be deleted (so a release wakes one waiter, not all).
 * A holder whose lease expires loses its key and so the lock: fence writes with the key's revision.
 */
public final class Locks {
    private final EtcdServer server;
    private final KeyWaits waits;

    public Locks(EtcdServer server, Executor drains) {
        this.server = server;
        this.waits = new KeyWaits(server, drains);
    }

    public CompletableFuture<LockResponse> lock(byte[] name, long lease) {
        byte[] prefix = Recipes.prefix(name);
        byte[] key = Recipes.contenderKey(prefix, lease);
        return waits.inQueue(key, cancel -> server.txn(Recipes.createOrGet(key, Bytes.EMPTY, lease))
                .thenCompose(created -> waits.awaitDeletes(prefix, Recipes.createRevision(created) - 1, cancel))
                .thenApply(revision -> new LockResponse(revision, key)));
    }

    public CompletableFuture<Long> unlock(byte[] key) {
        return server.deleteRange(new DeleteRangeRequest(key, Bytes.EMPTY, false)).thenApply(r -> r.revision());
    }
}
