package org.ketcd.shell;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code etcdctl defrag} of this member: the store's free space back to the file system. Prints each step as it
 * begins (the store's tables, one at a time, with the time so far), then the sizes before and after. The steps are
 * printed from the command's own thread: only that thread's output reaches the shell session.
 */
@Service
@Command(scope = "ketcd", name = "defrag", description = "Gives this member's free store space back to the file system, as etcdctl defrag, printing each table as it is rebuilt")
public final class Defrag extends MemberAction {
    /** A defragment rewrites the whole store: it may take long on a large one. */
    static final long DEFRAG_TIMEOUT_MINUTES = 30;
    /** How often the command looks for the next step while it waits. */
    private static final long STEP_POLL_MS = 100;

    @Override
    public Object execute() throws Exception {
        long before = member().status().get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS).dbSize();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(DEFRAG_TIMEOUT_MINUTES);
        BlockingQueue<String> steps = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = member().defragment(steps::add);
        while (!done.isDone()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the defragment did not finish within " + DEFRAG_TIMEOUT_MINUTES + " minutes");
            }
            printStep(steps.poll(STEP_POLL_MS, TimeUnit.MILLISECONDS), start);
        }
        for (String step = steps.poll(); step != null; step = steps.poll()) {
            printStep(step, start);
        }
        done.get();
        long after = member().status().get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS).dbSize();
        return print("Finished defragmenting in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms: "
                + Sizes.bytes(before) + " -> " + Sizes.bytes(after));
    }

    private static void printStep(String step, long start) {
        if (step != null) {
            System.out.printf(java.util.Locale.ROOT, "defragmenting %s, %.1f s so far%n", step, (System.nanoTime() - start) / 1e9);
            System.out.flush();
        }
    }
}
