package org.ketcd.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.ketcd.api.Alarm;

/** {@code etcdctl alarm list}: one line per raised alarm, nothing when there is none. */
@Service
@Command(scope = "ketcd", name = "alarms", description = "The cluster's raised alarms, as etcdctl alarm list")
public final class Alarms extends MemberAction {
    @Override
    public Object execute() {
        StringBuilder out = new StringBuilder();
        for (Alarm a : member().alarms()) {
            out.append("memberID:").append(Long.toUnsignedString(a.memberId())).append(" alarm:").append(a.type()).append('\n');
        }
        return print(out.toString().stripTrailing());
    }
}
