package org.ketcd.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.ketcd.api.Bytes;

/** A command on one key, or on every key under a prefix with {@code --prefix}, as etcdctl's get and del. */
abstract class KeyRangeAction extends MemberAction {
    @Argument(index = 0, name = "key", required = true, description = "the key, or the prefix with --prefix")
    @Completion(KeyCompleter.class)
    String key;

    @Option(name = "--prefix", description = "every key starting with the key")
    boolean prefix;

    byte[] keyBytes() {
        return Commands.utf8(key);
    }

    /** etcd's range end: none for one key, the prefix's end for --prefix. */
    byte[] rangeEnd() {
        return prefix ? Bytes.prefixEnd(keyBytes()) : Bytes.EMPTY;
    }
}
