package org.ketcd.rest;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * What is logged at WARN or above while it is open: java.util.logging records (Jersey, the JDK's HTTP server) and
 * the test logger's lines (slf4j-simple, on System.err: Ketcd's own code). Lines of a {@code debugLogger} at DEBUG
 * are kept apart.
 */
final class LoggedWarnings implements AutoCloseable {
    /** slf4j-simple's line: "HH:mm:ss.SSS [thread] LEVEL logger - message". */
    private static final Pattern WARN_LINE = Pattern.compile(".*\\] (WARN|ERROR) .*");

    private final List<String> julRecords = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream stderrBytes = new ByteArrayOutputStream();
    private final PrintStream stderr = System.err;
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                julRecords.add(r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
                        + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LoggedWarnings() {
        Logger.getLogger("").addHandler(handler);
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                stderr.write(b);
                synchronized (stderrBytes) {
                    stderrBytes.write(b);
                }
            }
        }, true));
    }

    /** Records and lines at WARN or above so far. */
    List<String> warnings() {
        List<String> all = new ArrayList<>(julRecords);
        lines().stream().filter(line -> WARN_LINE.matcher(line).matches()).forEach(all::add);
        return all;
    }

    /** The lines {@code logger} wrote at DEBUG so far. */
    List<String> debugLines(String logger) {
        return lines().stream().filter(line -> line.contains("] DEBUG " + logger + " ")).toList();
    }

    private List<String> lines() {
        synchronized (stderrBytes) {
            return stderrBytes.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Override
    public void close() {
        System.setErr(stderr);
        Logger.getLogger("").removeHandler(handler);
    }
}
