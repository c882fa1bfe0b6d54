package org.ketcd.rest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;

/** Waits for a server call on the HTTP thread, at most {@value #TIMEOUT_SECONDS} s; its refusal is rethrown as it is. */
public final class ServerCall {
    public static final int TIMEOUT_SECONDS = 10;

    private ServerCall() {
    }

    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new EtcdException(EtcdError.TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException(EtcdError.STOPPED);
        }
    }
}
