package org.ketcd.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.ketcd.api.EtcdServer;

/**
 * A command that calls the member as an etcd client would: with etcd's auth enabled it needs {@code --user
 * name:password}, as etcdctl does, and gets etcd's answers (permission denied, ...).
 */
abstract class MemberAction implements Action {
    @Reference
    EtcdServer server;

    @Option(name = "--user", description = "etcd user and password (name:password) when etcd's auth is enabled")
    String user;

    /**
     * Prints a command's answer to the session (Karaf's shell does not print what a command returns when it runs in
     * batch mode, as {@code bin/ketcd admin COMMAND} does); nothing for an empty answer.
     */
    static Object print(String answer) {
        if (!answer.isEmpty()) {
            System.out.println(answer);
        }
        return null;
    }

    EtcdServer member() {
        if (user == null) {
            return server;
        }
        int colon = user.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--user takes name:password");
        }
        return server.withPassword(user.substring(0, colon), user.substring(colon + 1));
    }
}
