package org.ketcd.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.KeyValue;
import org.ketcd.api.RangeRequest;

/**
 * Tab completion of a key argument: the member's keys that start with what is typed, at most {@link #MAX_CANDIDATES}
 * of them, read serializably (from this member, without a round to the leader) with keys only. With etcd's auth
 * enabled the shell has no user to read as, and offers nothing.
 */
@Service
public final class KeyCompleter implements Completer {
    /** The most keys offered at once: more would not fit a screen; type more of the key to narrow them. */
    static final int MAX_CANDIDATES = 100;

    @Reference
    EtcdServer server;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        String typed = commandLine.getCursorArgument() == null ? ""
                : commandLine.getCursorArgument().substring(0, commandLine.getArgumentPosition());
        return new StringsCompleter(keysStartingWith(typed)).complete(session, commandLine, candidates);
    }

    /** The keys that start with {@code prefix}, in key order; none if the member cannot answer at once. */
    List<String> keysStartingWith(String prefix) {
        byte[] start = Commands.utf8(prefix);
        byte[] end = prefix.isEmpty() ? Bytes.FROM_KEY : Bytes.prefixEnd(start);
        RangeRequest keysOnly = new RangeRequest(prefix.isEmpty() ? new byte[] {0} : start, end, MAX_CANDIDATES, 0,
                RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY, true, true, false, 0, 0, 0, 0);
        List<String> keys = new ArrayList<>();
        try {
            for (KeyValue kv : server.range(keysOnly).get(1, TimeUnit.SECONDS).kvs()) {
                keys.add(Commands.text(kv.key()));
            }
        } catch (Exception noAnswer) {
            // completion offers nothing rather than an error in the middle of a line being typed
        }
        return keys;
    }
}
