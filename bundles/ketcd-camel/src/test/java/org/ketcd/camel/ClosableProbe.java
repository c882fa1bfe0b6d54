package org.ketcd.camel;

import java.util.concurrent.atomic.AtomicInteger;

/** A bean a route file defines, counting how often it was closed. */
public class ClosableProbe {
    static final AtomicInteger CLOSED = new AtomicInteger();

    public void close() {
        CLOSED.incrementAndGet();
    }
}
