package org.ketcd.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.SnapshotResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a snapshot file to a Maintenance.Snapshot caller in chunks, as fast as the client reads (gRPC
 * flow control: a chunk is sent only while the call is ready, so a slow client never makes the server
 * buffer the whole file), then deletes the file.
 */
final class SnapshotStream {
    /** Bytes per SnapshotResponse, as etcd's 32 KiB. */
    static final int CHUNK_BYTES = 32 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStream.class);

    private final ServerCallStreamObserver<SnapshotResponse> call;
    private final ResponseHeader header;
    private Path file;
    private InputStream in;
    private long remaining;
    private boolean done;

    private SnapshotStream(ServerCallStreamObserver<SnapshotResponse> call, ResponseHeader header) {
        this.call = call;
        this.header = header;
    }

    static void send(StreamObserver<SnapshotResponse> observer, ResponseHeader header, CompletableFuture<Path> snapshot) {
        SnapshotStream s = new SnapshotStream((ServerCallStreamObserver<SnapshotResponse>) observer, header);
        s.call.setOnReadyHandler(s::pump);
        s.call.setOnCancelHandler(s::finish);
        snapshot.whenComplete((file, error) -> {
            if (error != null) {
                s.fail(error);
            } else {
                s.open(file);
            }
        });
    }

    private synchronized void open(Path snapshot) {
        try {
            file = snapshot;
            remaining = Files.size(snapshot);
            in = Files.newInputStream(snapshot);
        } catch (IOException e) {
            fail(e);
            return;
        }
        pump();
    }

    private synchronized void pump() {
        if (in == null || done) {
            return;
        }
        try {
            while (call.isReady() && !done) {
                byte[] chunk = in.readNBytes(CHUNK_BYTES);
                remaining -= chunk.length;
                call.onNext(SnapshotResponse.newBuilder().setHeader(header).setRemainingBytes(remaining)
                        .setBlob(ByteString.copyFrom(chunk)).build());
                if (remaining <= 0) {
                    call.onCompleted();
                    finish();
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private synchronized void fail(Throwable error) {
        if (!done) {
            LOG.warn("snapshot stream failed: {}", error.toString());
            call.onError(StatusMapping.toStatus(error));
        }
        finish();
    }

    private synchronized void finish() {
        done = true;
        try {
            if (in != null) {
                in.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the snapshot file {}: {}", file, e.toString());
        }
    }
}
