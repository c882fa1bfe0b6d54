package org.ketcd.server.config;

/** A configuration that cannot start a member; the message is one line naming the flag and the problem. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
