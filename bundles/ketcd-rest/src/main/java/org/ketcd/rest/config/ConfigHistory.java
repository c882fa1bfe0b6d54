package org.ketcd.rest.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Event;
import org.ketcd.api.Watch;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;

/**
 * Every retained version of one value, deletions included: a watch of the key from the oldest
 * uncompacted revision replays its history (the store's own record of changes), read until the
 * revision the request started at. At most {@value #MAX_VERSIONS} versions, the newest.
 */
final class ConfigHistory {
    static final int MAX_VERSIONS = 1000;
    /** How long replaying a history may take. */
    static final int TIMEOUT_SECONDS = 10;
    /** How often the replay checks its progress when no batch signalled. */
    static final int POLL_MILLIS = 20;

    private final EtcdServer server;

    ConfigHistory(EtcdServer server) {
        this.server = server;
    }

    record Version(long revision, boolean deleted, long version, byte[] value) {
    }

    /** The versions at revisions after {@code compactRevision} up to {@code revision}, oldest first. */
    record Versions(long revision, long compactRevision, List<Version> versions) {
    }

    Versions of(String path) {
        byte[] key = ConfigKeys.value(path);
        long target = server.currentRevision();
        long start = 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            ArrayDeque<Version> versions = new ArrayDeque<>();
            Semaphore signal = new Semaphore(0);
            try (Watch watch = server.watch(WatchRequest.of(key, Bytes.EMPTY, start), signal::release)) {
                long compacted = 0;
                while (watch.progressRevision() < target || compacted != 0) {
                    WatchBatch batch = watch.poll();
                    if (batch == null) {
                        if (System.nanoTime() > deadline) {
                            throw new EtcdException(EtcdError.TIMEOUT);
                        }
                        signal.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
                        continue;
                    }
                    if (batch.canceled()) {
                        compacted = batch.compactRevision();
                        break;
                    }
                    for (Event e : batch.events()) {
                        if (e.revision() > target) {
                            continue;
                        }
                        versions.addLast(new Version(e.revision(), e.type() == Event.Type.DELETE, e.kv().version(), e.kv().value()));
                        if (versions.size() > MAX_VERSIONS) {
                            versions.removeFirst();
                        }
                    }
                }
                if (compacted != 0) {
                    start = compacted; // history before it is gone: replay from the oldest retained revision
                    continue;
                }
                return new Versions(target, start - 1, new ArrayList<>(versions));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EtcdException(EtcdError.STOPPED);
            }
        }
    }
}
