package org.ketcd.api;

/** A request refused with one of etcd's errors; carries no stack trace because it is an answer, not a fault. */
public final class EtcdException extends RuntimeException {
    private final EtcdError error;

    public EtcdException(EtcdError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public EtcdError error() {
        return error;
    }
}
