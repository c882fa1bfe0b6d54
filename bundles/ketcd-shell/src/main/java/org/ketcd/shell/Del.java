package org.ketcd.shell;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.ketcd.api.DeleteRangeRequest;
import org.ketcd.api.DeleteRangeResponse;

/** {@code etcdctl del}: the number of keys deleted. */
@Service
@Command(scope = "ketcd", name = "del", description = "Deletes a key or a prefix, as etcdctl del")
public final class Del extends KeyRangeAction {
    @Override
    public Object execute() throws Exception {
        DeleteRangeResponse r = member().deleteRange(new DeleteRangeRequest(keyBytes(), rangeEnd(), false))
                .get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return print(String.valueOf(r.deleted()));
    }
}
