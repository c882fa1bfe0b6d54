package org.ketcd.api;

/** A request refused with one of etcd's errors; carries no stack trace because it is an answer, not a fault. */
public final class EtcdException extends RuntimeException {
    private final EtcdError error;

    public EtcdException(EtcdError error) {
        this(error, error.message());
    }

    /** One of etcd's errors whose message carries details of this request (sizes, limits). */
    public EtcdException(EtcdError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public EtcdError error() {
        return error;
    }
}
