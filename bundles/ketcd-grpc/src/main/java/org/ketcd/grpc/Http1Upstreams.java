package org.ketcd.grpc;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.ketcd.api.Http1Upstream;

/**
 * Where the client port finds its HTTP/1 API (the REST bundle), and whether one is on its way: while the REST
 * bundle is installed but not serving yet (the member is booting, or the bundle is being updated), an HTTP/1
 * request waits for it, up to {@link Http1Limits#UPSTREAM_WAIT_MS}, instead of getting a 404; without the bundle
 * the 404 comes at once.
 */
public interface Http1Upstreams {
    /** The upstream serving now, or null. */
    Http1Upstream current();

    /** Whether an upstream is expected to serve soon (checked while a request waits for one). */
    boolean expected();

    /** {@code current} as it is, never waited for. */
    static Http1Upstreams of(Supplier<Http1Upstream> current) {
        return of(current, () -> false);
    }

    static Http1Upstreams of(Supplier<Http1Upstream> current, BooleanSupplier expected) {
        return new Http1Upstreams() {
            @Override
            public Http1Upstream current() {
                return current.get();
            }

            @Override
            public boolean expected() {
                return expected.getAsBoolean();
            }
        };
    }
}
