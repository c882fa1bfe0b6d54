package org.ketcd.shell;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code etcdctl defrag} of this member: the store's free space back to the file system, sizes before and after. */
@Service
@Command(scope = "ketcd", name = "defrag", description = "Gives this member's free store space back to the file system, as etcdctl defrag")
public final class Defrag extends MemberAction {
    /** A defragment rewrites the whole store: it may take long on a large one. */
    static final long DEFRAG_TIMEOUT_MINUTES = 30;

    @Override
    public Object execute() throws Exception {
        long before = member().status().get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS).dbSize();
        long start = System.nanoTime();
        member().defragment().get(DEFRAG_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        long after = member().status().get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS).dbSize();
        return print("Finished defragmenting in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms: "
                + Sizes.bytes(before) + " -> " + Sizes.bytes(after));
    }
}
