package org.ketcd.shell;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.ketcd.api.Event;
import org.ketcd.api.WatchBatch;
import org.ketcd.api.WatchRequest;

/**
 * {@code etcdctl watch}: each change as it happens, as etcdctl prints it (PUT or DELETE, the key, the value on lines
 * of their own), until {@code --count} changes were printed or the command is interrupted (Ctrl-C, or the session
 * ends). A watch from a compacted revision ends with etcdctl's words.
 */
@Service
@Command(scope = "ketcd", name = "watch", description = "Prints changes to a key or prefix as they happen, as etcdctl watch (Ctrl-C ends it)")
public final class Watch extends KeyRangeAction {
    /** How often a watch with nothing to print checks whether it was interrupted. */
    static final long IDLE_CHECK_MS = 200;

    @Option(name = "--rev", description = "from this revision on, history included (0: changes from now on)")
    long rev;

    @Option(name = "--count", description = "end after this many changes (0: until interrupted)")
    long count;

    @Override
    public Object execute() throws Exception {
        Semaphore ready = new Semaphore(0);
        long printed = 0;
        try (org.ketcd.api.Watch watch = member().watch(WatchRequest.of(keyBytes(), rangeEnd(), rev), ready::release)) {
            while (count == 0 || printed < count) {
                WatchBatch batch = watch.poll();
                if (batch == null) {
                    ready.tryAcquire(IDLE_CHECK_MS, TimeUnit.MILLISECONDS); // throws once the command is interrupted
                    continue;
                }
                if (batch.canceled()) {
                    return print("watch was canceled (etcdserver: mvcc: required revision has been compacted)");
                }
                for (Event e : batch.events()) {
                    if (count != 0 && printed == count) {
                        break;
                    }
                    System.out.println((e.type() == Event.Type.PUT ? "PUT" : "DELETE") + "\n" + Commands.text(e.kv().key())
                            + "\n" + (e.type() == Event.Type.PUT ? Commands.text(e.kv().value()) : ""));
                    System.out.flush();
                    printed++;
                }
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
