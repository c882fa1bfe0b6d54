package org.ketcd.camel;

/** Helpers for asserting on exception chains. */
final class RouteFilesTestSupport {
    private RouteFilesTestSupport() {
    }

    static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getMessage()).append(" / ");
        }
        return b.toString();
    }
}
