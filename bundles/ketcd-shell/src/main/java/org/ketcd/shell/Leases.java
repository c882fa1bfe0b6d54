package org.ketcd.shell;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.ketcd.api.LeaseTimeToLiveResponse;

/** {@code etcdctl lease list} with each lease's remaining and granted TTL and its number of keys. */
@Service
@Command(scope = "ketcd", name = "leases", description = "The cluster's leases with their TTLs and keys, as etcdctl lease list and timetolive")
public final class Leases extends MemberAction {
    @Override
    public Object execute() throws Exception {
        ShellTable table = new ShellTable();
        table.column("Lease");
        table.column("TTL (s)");
        table.column("Granted TTL (s)");
        table.column("Keys");
        for (long id : member().leases().get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            LeaseTimeToLiveResponse l = member().leaseTimeToLive(id, true).get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            table.addRow().addContent(Long.toHexString(id), l.ttl(), l.grantedTtl(), l.keys().size());
        }
        table.print(System.out);
        return null;
    }
}
