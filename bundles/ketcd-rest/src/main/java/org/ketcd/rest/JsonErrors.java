package org.ketcd.rest;

import com.google.gson.JsonObject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.ketcd.api.EtcdError;

/**
 * The errors of Ketcd's own REST resources (configuration, services): {@code {"error": "<message>"}} with an HTTP status that says what
 * happened (etcd's own message where the server refused). Over {@code --max-request-bytes} is 413,
 * a compacted revision 410 (re-read the current state), a failed condition 412.
 */
public final class JsonErrors {
    private JsonErrors() {
    }

    public static Response of(int status, String message) {
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(o.toString()).build();
    }

    public static Response of(EtcdError error) {
        return of(httpStatus(error), error.message());
    }

    public static int httpStatus(EtcdError error) {
        if (error == EtcdError.REQUEST_TOO_LARGE) {
            return 413;
        }
        if (error == EtcdError.COMPACTED) {
            return 410;
        }
        if (error == EtcdError.USER_EMPTY || error == EtcdError.AUTH_FAILED || error == EtcdError.AUTH_OLD_REVISION) {
            return 401; // no credentials, wrong ones, or a token older than the auth store: authenticate (again)
        }
        return switch (error.code()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
            case RESOURCE_EXHAUSTED -> 429;
            case NOT_FOUND -> 404;
            case UNAVAILABLE -> 503;
            case FAILED_PRECONDITION -> 412;
            case PERMISSION_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
            default -> 500;
        };
    }
}
