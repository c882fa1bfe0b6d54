package org.ketcd.rest.gateway;

import com.google.gson.JsonObject;

/**
 * How etcd's gateway (grpc-gateway v1) writes a failed call: the HTTP status for the gRPC code
 * ({@code runtime.HTTPStatusFromCode}) and the body {@code {"error":m,"message":m,"code":c}}; inside a
 * stream, {@code {"error":{"grpc_code":c,"http_code":h,"message":m,"http_status":"..."}}}.
 */
public final class GatewayErrors {
    public static final int CANCELLED = 1;
    public static final int INVALID_ARGUMENT = 3;
    public static final int RESOURCE_EXHAUSTED = 8;

    private GatewayErrors() {
    }

    /** grpc-gateway v1's HTTPStatusFromCode. */
    public static int httpStatus(int grpcCode) {
        return switch (grpcCode) {
            case 0 -> 200;
            case 1 -> 408; // CANCELLED
            case 2 -> 500; // UNKNOWN
            case 3 -> 400; // INVALID_ARGUMENT
            case 4 -> 504; // DEADLINE_EXCEEDED
            case 5 -> 404; // NOT_FOUND
            case 6 -> 409; // ALREADY_EXISTS
            case 7 -> 403; // PERMISSION_DENIED
            case 8 -> 429; // RESOURCE_EXHAUSTED
            case 9 -> 412; // FAILED_PRECONDITION
            case 10 -> 409; // ABORTED
            case 11 -> 400; // OUT_OF_RANGE
            case 12 -> 501; // UNIMPLEMENTED
            case 13 -> 500; // INTERNAL
            case 14 -> 503; // UNAVAILABLE
            case 15 -> 500; // DATA_LOSS
            case 16 -> 401; // UNAUTHENTICATED
            default -> 500;
        };
    }

    /** The body of a failed unary call. */
    public static String body(int grpcCode, String message) {
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        o.addProperty("message", message);
        o.addProperty("code", grpcCode);
        return o.toString();
    }

    /** One line of a failed stream. */
    static String streamChunk(int grpcCode, String message) {
        int http = httpStatus(grpcCode);
        JsonObject e = new JsonObject();
        e.addProperty("grpc_code", grpcCode);
        e.addProperty("http_code", http);
        e.addProperty("message", message);
        e.addProperty("http_status", reason(http));
        JsonObject o = new JsonObject();
        o.add("error", e);
        return o.toString();
    }

    /** Go's http.StatusText for the statuses above. */
    static String reason(int http) {
        return switch (http) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 412 -> "Precondition Failed";
            case 413 -> "Request Entity Too Large";
            case 429 -> "Too Many Requests";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Internal Server Error";
        };
    }
}
