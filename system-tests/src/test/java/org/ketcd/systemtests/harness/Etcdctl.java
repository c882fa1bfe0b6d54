package org.ketcd.systemtests.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the installed etcdctl (API v3) against one endpoint, with a hard timeout. */
public final class Etcdctl {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final java.util.concurrent.ExecutorService DRAINERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "etcdctl-drain");
        t.setDaemon(true);
        return t;
    });

    private Etcdctl() {
    }

    private static List<String> command(String endpoint, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("etcdctl");
        cmd.add("--endpoints=" + endpoint);
        cmd.add("--dial-timeout=3s");
        cmd.add("--command-timeout=" + Math.max(1, timeout.toSeconds() - 2) + "s");
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Process launch(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("ETCDCTL_") || k.startsWith("ETCD_"));
        env.put("ETCDCTL_API", "3");
        try {
            return Reaper.register(pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start etcdctl (is the Debian package etcd-client installed?)", e);
        }
    }

    /** An etcdctl that runs until killed (e.g. {@code watch}): its output so far, and a kill by PID. */
    public static final class Background {
        private final List<String> command;
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<String> err;
        private final CompletableFuture<Void> outDone;

        private Background(List<String> command, Process process) {
            this.command = command;
            this.process = process;
            this.err = drain(process.getErrorStream());
            this.outDone = CompletableFuture.runAsync(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                        synchronized (out) {
                            out.write(buf, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
            }, DRAINERS);
        }

        public long pid() {
            return process.pid();
        }

        public String stdoutSoFar() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        /**
         * Stops the process as Ctrl-C would (SIGTERM: etcdctl then releases its lock or resigns), waits
         * at most 10 s for it to exit (then SIGKILL), and returns everything it printed with its exit code.
         */
        public CommandResult terminate() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    return kill();
                }
                outDone.get(10, TimeUnit.SECONDS);
                return new CommandResult(command.subList(1, command.size()), process.exitValue(), stdoutSoFar(),
                        err.get(10, TimeUnit.SECONDS), false);
            } catch (Exception e) {
                throw new IllegalStateException("etcdctl " + command, e);
            }
        }

        /** Kills the process (SIGKILL by its PID) and returns everything it printed; exit code -1. */
        public CommandResult kill() {
            Reaper.killNow(process);
            try {
                outDone.get(10, TimeUnit.SECONDS);
                return new CommandResult(command.subList(1, command.size()), -1, stdoutSoFar(), err.get(10, TimeUnit.SECONDS), false);
            } catch (Exception e) {
                throw new IllegalStateException("etcdctl " + command, e);
            }
        }
    }

    /** Starts etcdctl with no time limit of its own; the caller kills it. */
    public static Background start(String endpoint, String... args) {
        List<String> cmd = command(endpoint, DEFAULT_TIMEOUT, args);
        return new Background(cmd, launch(cmd));
    }

    public static CommandResult run(String endpoint, String stdin, Duration timeout, String... args) {
        List<String> cmd = command(endpoint, timeout, args);
        Process p = launch(cmd);
        try {
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // etcdctl may exit before reading its stdin
            }
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                Reaper.killNow(p);
            }
            return new CommandResult(cmd.subList(1, cmd.size()).stream().map(Etcdctl::shorten).toList(),
                    done ? p.exitValue() : -1, out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS), !done);
        } catch (Exception e) {
            throw new IllegalStateException("etcdctl " + cmd, e);
        } finally {
            Reaper.killNow(p); // no-op when it already exited; always unregisters
        }
    }

    public static CommandResult run(String endpoint, String... args) {
        return run(endpoint, null, DEFAULT_TIMEOUT, args);
    }

    private static String shorten(String arg) {
        return arg.length() > 120 ? arg.substring(0, 60) + "...(" + arg.length() + " chars)" : arg;
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                return buf.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<stream error: " + e + ">";
            }
        }, DRAINERS);
    }
}
