package org.ketcd.server.config;

/**
 * etcd's {@code --log-level} as a Log4j level. Ketcd's own loggers take the level itself; libraries take it but
 * never below WARN, so their INFO and DEBUG chatter stays out of an operator's log unless a logger is raised
 * on purpose ({@code log:set}).
 */
public enum LogLevel {
    DEBUG("debug", "DEBUG"),
    INFO("info", "INFO"),
    WARN("warn", "WARN"),
    ERROR("error", "ERROR"),
    // Go's zap panics or exits after logging at these; a JVM logs them as Log4j's most severe level
    PANIC("panic", "FATAL"),
    FATAL("fatal", "FATAL");

    private final String etcdName;
    private final String log4jLevel;

    LogLevel(String etcdName, String log4jLevel) {
        this.etcdName = etcdName;
        this.log4jLevel = log4jLevel;
    }

    /** The level of {@code --log-level value}; etcd's "unknown level" otherwise. */
    static LogLevel of(String value) throws ConfigException {
        for (LogLevel l : values()) {
            if (l.etcdName.equals(value)) { // etcd refuses "INFO" as well
                return l;
            }
        }
        throw new ConfigException("invalid value \"" + value + "\" for flag -log-level: unknown level \"" + value
                + "\" (debug, info, warn, error, panic or fatal)");
    }

    /** The Log4j level of Ketcd's own loggers. */
    public String log4jLevel() {
        return log4jLevel;
    }

    /** The Log4j level of every library's loggers: this one, but never below WARN. */
    public String libraryLog4jLevel() {
        return compareTo(WARN) < 0 ? WARN.log4jLevel : log4jLevel;
    }
}
