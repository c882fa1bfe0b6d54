package org.ketcd.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.ketcd.api.Member;

/** {@code etcdctl member list}, with the leader marked. */
@Service
@Command(scope = "ketcd", name = "members", description = "The cluster's members, as etcdctl member list, with the leader")
public final class Members extends MemberAction {
    @Override
    public Object execute() throws Exception {
        long leader = member().status().get(Commands.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS).leader();
        ShellTable table = new ShellTable();
        table.column("ID");
        table.column("Name");
        table.column("Role");
        table.column("Peer URLs");
        table.column("Client URLs");
        for (Member m : member().members()) {
            table.addRow().addContent(Long.toHexString(m.id()), m.name().isEmpty() ? "(unstarted)" : m.name(),
                    m.learner() ? "learner" : m.id() == leader ? "leader" : "follower",
                    String.join(",", m.peerUrls()), String.join(",", m.clientUrls()));
        }
        table.print(System.out);
        return null;
    }
}
