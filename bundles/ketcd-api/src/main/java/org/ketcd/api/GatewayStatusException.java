package org.ketcd.api;

/** A gRPC call made through {@link GrpcGatewayBackend} failed with this gRPC status code and message. */
public final class GatewayStatusException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    public GatewayStatusException(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** The gRPC status code (3 = INVALID_ARGUMENT, 5 = NOT_FOUND, ...). */
    public int code() {
        return code;
    }
}
