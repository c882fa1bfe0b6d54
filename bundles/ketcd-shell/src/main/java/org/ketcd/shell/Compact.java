package org.ketcd.shell;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.ketcd.api.CompactionRequest;

/** {@code etcdctl compact}: drops the history before a revision, on every member. */
@Service
@Command(scope = "ketcd", name = "compact", description = "Drops the key history before a revision, as etcdctl compact")
public final class Compact extends MemberAction {
    @Argument(index = 0, name = "revision", required = true)
    long revision;

    @Option(name = "--physical", description = "answer once the compaction is done on this member's store")
    boolean physical;

    @Override
    public Object execute() throws Exception {
        member().compact(new CompactionRequest(revision, physical)).get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return print("compacted revision " + revision);
    }
}
