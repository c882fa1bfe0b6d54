package org.ketcd.shell;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.ketcd.api.KeyValue;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;

/** {@code etcdctl get}: each key, then its value, on lines of their own; {@code --revisions} adds etcd's metadata. */
@Service
@Command(scope = "ketcd", name = "get", description = "Keys and values, as etcdctl get (a linearizable read)")
public final class Get extends KeyRangeAction {
    @Option(name = "--limit", description = "at most this many keys (0: all)")
    long limit;

    @Option(name = "--revisions", description = "also each key's create and mod revision, version and lease")
    boolean revisions;

    @Override
    public Object execute() throws Exception {
        RangeRequest request = new RangeRequest(keyBytes(), rangeEnd(), limit, 0,
                RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY, false, false, false, 0, 0, 0, 0);
        RangeResponse r = member().range(request).get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        StringBuilder out = new StringBuilder();
        for (KeyValue kv : r.kvs()) {
            out.append(Commands.text(kv.key())).append('\n');
            if (revisions) {
                out.append(String.format("  create_revision %d, mod_revision %d, version %d, lease %x%n",
                        kv.createRevision(), kv.modRevision(), kv.version(), kv.lease()));
            }
            out.append(Commands.text(kv.value())).append('\n');
        }
        if (r.more()) {
            out.append("(").append(r.count() - r.kvs().size()).append(" more)\n");
        }
        return print(out.toString().stripTrailing());
    }
}
