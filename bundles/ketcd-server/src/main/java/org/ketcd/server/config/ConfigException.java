package org.ketcd.server.config;

/**
 * A configuration that cannot start a member; the message is one line naming the flag and the problem. The exit
 * status is etcd's for it: 2 for a bad flag (Go's flag package), 1 for a configuration file etcd could not use.
 */
public final class ConfigException extends Exception {
    private final int exitStatus;

    public ConfigException(String message) {
        this(message, 2);
    }

    public ConfigException(String message, int exitStatus) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
