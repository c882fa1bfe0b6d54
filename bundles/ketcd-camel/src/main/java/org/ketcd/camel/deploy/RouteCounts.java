package org.ketcd.camel.deploy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Each route's completed and failed exchanges and its last failure, from Camel's exchange events (an exchange ends
 * either completed or failed); counted from the route that created the exchange.
 */
final class RouteCounts extends EventNotifierSupport {
    /** Longest failure message kept per route. */
    static final int MAX_ERROR_CHARS = 500;

    static final class Counts {
        final LongAdder completed = new LongAdder();
        final LongAdder failed = new LongAdder();
        volatile String lastError = "";
    }

    private final Map<String, Counts> byRoute = new ConcurrentHashMap<>();

    RouteCounts() {
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        String route = exchange.getFromRouteId();
        if (route == null) {
            return;
        }
        Counts counts = byRoute.computeIfAbsent(route, r -> new Counts());
        if (event instanceof CamelEvent.ExchangeFailedEvent) {
            counts.failed.increment();
            Exception e = exchange.getException();
            String message = e == null ? "failed" : e.getClass().getSimpleName() + ": " + e.getMessage();
            counts.lastError = message.length() > MAX_ERROR_CHARS ? message.substring(0, MAX_ERROR_CHARS) + "..." : message;
        } else {
            counts.completed.increment();
        }
    }

    /** The counts of {@code route}; zeros for a route that has seen no exchange. */
    Counts of(String route) {
        Counts c = byRoute.get(route);
        return c == null ? new Counts() : c;
    }
}
