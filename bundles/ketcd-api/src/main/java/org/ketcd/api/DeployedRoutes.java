package org.ketcd.api;

import java.util.List;

/**
 * The Camel routes deployed in this member, for operators (the shell's {@code ketcd:routes}, {@code /metrics}); a
 * service while the member's Camel runs.
 */
public interface DeployedRoutes {
    /**
     * One route, as this member sees it.
     *
     * @param id         the route's id
     * @param file       the route file it came from ("" for a route added otherwise)
     * @param from       its input endpoint, with secrets masked as Camel masks them
     * @param status     Camel's status of the route here: Started, Stopped, Suspended, ...
     * @param completed  exchanges the route completed here since Camel started
     * @param failed     exchanges that failed here since Camel started
     * @param inflight   exchanges in flight here now
     * @param lastError  the message of the last failure here ("" if none)
     * @param checkpoint the revision the route last checkpointed in the cluster (ketcd: input), -1 if it has none
     */
    record DeployedRoute(String id, String file, String from, String status, long completed, long failed, int inflight,
                         String lastError, long checkpoint) {
    }

    List<DeployedRoute> routes();
}
