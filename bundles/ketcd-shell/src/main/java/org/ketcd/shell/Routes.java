package org.ketcd.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.ketcd.api.DeployedRoutes;

/**
 * The Camel routes deployed in this member: status here, exchanges completed and failed here, in flight, the
 * checkpoint in the cluster, the route file and input; then each route's last failure. The routes come from the
 * member's Camel (feature {@code ketcd-camel}); the reference is optional because Karaf's shell registers none of a
 * bundle's commands while one of them misses a mandatory service.
 */
@Service
@Command(scope = "ketcd", name = "routes", description = "The Camel routes deployed in this member, with their counts, "
        + "checkpoints and last failures")
public final class Routes implements Action {
    /** What the command says when the member runs no Camel. */
    static final String NO_CAMEL = "This member runs no Camel: install the ketcd-camel feature to deploy routes.";

    @Reference(optional = true)
    DeployedRoutes routes;

    @Override
    public Object execute() {
        if (routes == null) {
            return MemberAction.print(NO_CAMEL);
        }
        ShellTable table = new ShellTable();
        table.column("ID");
        table.column("Status");
        table.column("Completed").alignRight();
        table.column("Failed").alignRight();
        table.column("Inflight").alignRight();
        table.column("Checkpoint").alignRight();
        table.column("File");
        table.column("From");
        StringBuilder failures = new StringBuilder();
        for (DeployedRoutes.DeployedRoute r : routes.routes()) {
            table.addRow().addContent(r.id(), r.status(), r.completed(), r.failed(), r.inflight(),
                    r.checkpoint() < 0 ? "-" : Long.toString(r.checkpoint()), r.file().isEmpty() ? "-" : r.file(), r.from());
            if (!r.lastError().isEmpty()) {
                failures.append(r.id()).append(": last failure: ").append(r.lastError()).append('\n');
            }
        }
        table.print(System.out);
        return MemberAction.print(failures.toString().stripTrailing());
    }
}
