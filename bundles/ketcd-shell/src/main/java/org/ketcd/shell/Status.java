package org.ketcd.shell;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.ServerStats;
import org.ketcd.api.StatusResponse;

/** This member at a glance: what {@code etcdctl endpoint status} shows, and a few counters more. */
@Service
@Command(scope = "ketcd", name = "status", description = "This member: leader, Raft term and index, revision, store size, alarms")
public final class Status extends MemberAction {
    @Override
    public Object execute() throws Exception {
        EtcdServer server = member();
        StatusResponse s = server.status().get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ServerStats stats = server.stats();
        String self = Long.toHexString(stats.memberId());
        String name = server.members().stream().filter(m -> m.id() == stats.memberId()).map(org.ketcd.api.Member::name)
                .findFirst().orElse("?");
        StringBuilder out = new StringBuilder();
        Commands.line(out, "member", name + " (" + self + ")" + (s.learner() ? ", learner" : ""));
        Commands.line(out, "leader", s.leader() == 0 ? "none" : Long.toHexString(s.leader())
                + (s.leader() == stats.memberId() ? " (this member)" : ""));
        Commands.line(out, "leader changes", String.valueOf(stats.leaderChanges()));
        Commands.line(out, "raft term", String.valueOf(s.raftTerm()));
        Commands.line(out, "raft index", s.raftIndex() + " committed, " + s.raftAppliedIndex() + " applied");
        Commands.line(out, "revision", s.revision() + " (compacted at " + stats.compactRevision() + ")");
        Commands.line(out, "keys", String.valueOf(stats.keys()));
        Commands.line(out, "db size", Sizes.bytes(s.dbSize()) + ", in use " + Sizes.bytes(s.dbSizeInUse())
                + ", quota " + Sizes.bytes(stats.quotaBackendBytes()));
        Commands.line(out, "watchers", String.valueOf(stats.watchers()));
        Commands.line(out, "alarms", s.errors().isEmpty() ? "none" : String.join("; ", s.errors()).trim());
        Commands.line(out, "version", s.version());
        return print(out.toString().stripTrailing());
    }
}
