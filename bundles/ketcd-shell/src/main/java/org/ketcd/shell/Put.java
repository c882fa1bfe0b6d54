package org.ketcd.shell;

import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.ketcd.api.PutRequest;
import org.ketcd.api.PutResponse;

/** {@code etcdctl put}: OK, with the revision the write made. */
@Service
@Command(scope = "ketcd", name = "put", description = "Writes a key, as etcdctl put")
public final class Put extends MemberAction {
    @Argument(index = 0, name = "key", required = true)
    @Completion(KeyCompleter.class)
    String key;

    @Argument(index = 1, name = "value", required = true)
    String value;

    @Override
    public Object execute() throws Exception {
        PutResponse r = member().put(PutRequest.of(Commands.utf8(key), Commands.utf8(value)))
                .get(Commands.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return print("OK (revision " + r.revision() + ")");
    }
}
