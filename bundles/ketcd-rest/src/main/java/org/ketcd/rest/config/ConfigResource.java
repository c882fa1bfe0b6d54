package org.ketcd.rest.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonElement;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.ketcd.rest.JsonErrors;
import org.ketcd.rest.JsonInput;
import org.ketcd.rest.NumberParam;
import org.ketcd.rest.RequestBody;
import org.ketcd.rest.RestLimits;

/**
 * The configuration API: {@code /config/<path>} is one value, {@code /config/<prefix>/} (trailing
 * slash) a tree. GET reads (ETag = the value's mod revision; {@code ?revision=N} reads the past;
 * {@code ?history} lists retained versions), PUT writes (a tree: a JSON object applied in one
 * transaction), DELETE deletes; {@code If-Match}/{@code If-None-Match} make writes conditional (412).
 * {@code ?watch} (or {@code Accept: text/event-stream}) streams changes as Server-Sent Events ({@link SseWatch}).
 */
@Path("/config")
public final class ConfigResource {
    private final org.ketcd.api.EtcdServer server;
    private final SseWatch.Hub watches;
    private final RestLimits limits;

    public ConfigResource(org.ketcd.api.EtcdServer server, SseWatch.Hub watches, RestLimits limits) {
        this.server = server;
        this.watches = watches;
        this.limits = limits;
    }

    @GET
    @Path("{path: .*}")
    public Response get(@PathParam("path") @Encoded String encodedPath, @QueryParam("revision") String revision,
                        @HeaderParam("Last-Event-ID") String lastEventId, @HeaderParam("Accept") String accept,
                        @HeaderParam("Authorization") String authorization, @Context UriInfo uri) {
        String path = ConfigKeys.requestPath(encodedPath);
        org.ketcd.api.EtcdServer caller = org.ketcd.rest.RestCredentials.serverFor(server, authorization);
        ConfigStore store = new ConfigStore(caller);
        long rev = revision == null ? 0 : NumberParam.nonNegative("revision", revision);
        if (uri.getQueryParameters().containsKey("watch") || MediaType.SERVER_SENT_EVENTS.equals(accept)) {
            long start = lastEventId != null && !lastEventId.isBlank() ? NumberParam.nonNegative("Last-Event-ID", lastEventId) + 1 : rev;
            store.checkReadable(path, isTree(path)); // a refusal is an HTTP error, not a stream that ends at once
            SseWatch watch = watches.open(caller, path, isTree(path), start);
            if (watch == null) {
                return Response.fromResponse(JsonErrors.of(429, "too many open streams on this member ("
                        + RestLimits.MAX_OPEN_STREAMS + "); retry later")).header("Retry-After", 1).build();
            }
            return Response.ok(watch, MediaType.SERVER_SENT_EVENTS).header("Cache-Control", "no-cache").build();
        }
        if (isTree(path)) {
            return listing(store.list(path, rev));
        }
        if (uri.getQueryParameters().containsKey("history")) {
            return historyOf(new ConfigHistory(caller), path);
        }
        ConfigStore.Entry e = store.get(path, rev);
        if (e == null) {
            return JsonErrors.of(404, "no value at /config/" + path + (rev == 0 ? "" : " at revision " + rev));
        }
        return Response.ok(e.value(), e.contentType()).tag(etag(e.modRevision()))
                .header("X-Ketcd-Create-Revision", e.createRevision())
                .header("X-Ketcd-Version", e.version()).build();
    }

    @PUT
    @Path("{path: .*}")
    public Response put(@PathParam("path") @Encoded String encodedPath, @HeaderParam("Content-Type") String contentType,
                        @HeaderParam("If-Match") String ifMatch, @HeaderParam("If-None-Match") String ifNoneMatch,
                        @HeaderParam("Authorization") String authorization, InputStream body)
            throws IOException, ConfigStore.PreconditionFailed {
        String path = ConfigKeys.requestPath(encodedPath);
        ConfigStore store = new ConfigStore(org.ketcd.rest.RestCredentials.serverFor(server, authorization));
        byte[] bytes = RequestBody.read(body, limits);
        if (isTree(path)) {
            return applyTree(store, path, bytes);
        }
        if (path.isEmpty()) {
            return JsonErrors.of(400, "a value needs a path: PUT /config/<path>");
        }
        ConfigStore.Written w = store.put(path, bytes, contentType == null ? ConfigKeys.DEFAULT_TYPE : contentType,
                condition(ifMatch, ifNoneMatch));
        JsonObject o = new JsonObject();
        o.addProperty("path", path);
        o.addProperty("revision", w.revision());
        o.addProperty("created", w.created());
        return Response.status(w.created() ? 201 : 200).type(MediaType.APPLICATION_JSON_TYPE).tag(etag(w.revision()))
                .entity(o.toString()).build();
    }

    @DELETE
    @Path("{path: .*}")
    public Response delete(@PathParam("path") @Encoded String encodedPath, @HeaderParam("If-Match") String ifMatch,
                           @HeaderParam("If-None-Match") String ifNoneMatch, @HeaderParam("Authorization") String authorization)
            throws ConfigStore.PreconditionFailed {
        String path = ConfigKeys.requestPath(encodedPath);
        ConfigStore store = new ConfigStore(org.ketcd.rest.RestCredentials.serverFor(server, authorization));
        JsonObject o = new JsonObject();
        if (isTree(path)) {
            o.addProperty("deleted", store.deleteTree(path));
            return Response.ok(o.toString(), MediaType.APPLICATION_JSON_TYPE).build();
        }
        long deleted = store.delete(path, condition(ifMatch, ifNoneMatch));
        if (deleted == 0) {
            return JsonErrors.of(404, "no value at /config/" + path);
        }
        o.addProperty("deleted", deleted);
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static Response applyTree(ConfigStore store, String prefix, byte[] body) {
        JsonElement tree;
        try {
            tree = JsonInput.value(new String(body, StandardCharsets.UTF_8));
        } catch (JsonInput.Malformed e) {
            return JsonErrors.of(400, "a tree is a JSON object: " + e.getMessage());
        }
        if (!tree.isJsonObject()) {
            return JsonErrors.of(400, "a tree is a JSON object, not " + JsonInput.kind(tree));
        }
        Map<String, byte[]> values = ConfigStore.flatten(tree.getAsJsonObject());
        long revision = store.replaceTree(prefix, values);
        JsonObject o = new JsonObject();
        o.addProperty("path", prefix);
        o.addProperty("revision", revision);
        o.addProperty("values", values.size());
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON_TYPE).tag(etag(revision)).build();
    }

    private static Response historyOf(ConfigHistory history, String path) {
        ConfigHistory.Versions versions = history.of(path);
        JsonObject o = new JsonObject();
        o.addProperty("path", path);
        o.addProperty("revision", versions.revision());
        o.addProperty("compactRevision", versions.compactRevision());
        JsonArray items = new JsonArray();
        for (ConfigHistory.Version v : versions.versions()) {
            JsonObject i = new JsonObject();
            i.addProperty("revision", v.revision());
            i.addProperty("type", v.deleted() ? "DELETE" : "PUT");
            if (!v.deleted()) {
                i.addProperty("version", v.version());
                i.addProperty("value", new String(v.value(), StandardCharsets.UTF_8));
            }
            items.add(i);
        }
        o.add("history", items);
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static Response listing(ConfigStore.Listing listing) {
        JsonObject o = new JsonObject();
        o.addProperty("revision", listing.revision());
        JsonArray items = new JsonArray();
        for (ConfigStore.Entry e : listing.entries()) {
            items.add(entryJson(e));
        }
        o.add("items", items);
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON_TYPE).tag(etag(listing.revision())).build();
    }

    static JsonObject entryJson(ConfigStore.Entry e) {
        JsonObject i = new JsonObject();
        i.addProperty("path", e.path());
        i.addProperty("contentType", e.contentType());
        i.addProperty("createRevision", e.createRevision());
        i.addProperty("modRevision", e.modRevision());
        i.addProperty("version", e.version());
        if (isText(e.contentType())) {
            i.addProperty("value", new String(e.value(), StandardCharsets.UTF_8));
        }
        return i;
    }

    /** Values of these types are shown inline in listings and events; others only by GET of their path. */
    static boolean isText(String contentType) {
        String t = contentType.toLowerCase();
        return t.startsWith("text/") || t.startsWith("application/json") || t.contains("+json")
                || t.startsWith("application/x-www-form-urlencoded") || t.startsWith("application/yaml")
                || t.startsWith("application/xml");
    }

    /** A failed If-Match/If-None-Match: 412, with the value's current revision as ETag. */
    @jakarta.ws.rs.ext.Provider
    public static final class ConditionFailed implements jakarta.ws.rs.ext.ExceptionMapper<ConfigStore.PreconditionFailed> {
        @Override
        public Response toResponse(ConfigStore.PreconditionFailed f) {
            Response r = JsonErrors.of(412, f.getMessage());
            return f.currentRevision == 0 ? r : Response.fromResponse(r).tag(etag(f.currentRevision)).build();
        }
    }

    static ConfigStore.Condition condition(String ifMatch, String ifNoneMatch) {
        if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
            throw new IllegalArgumentException("If-None-Match supports only * (create only)");
        }
        boolean noneMatchAny = ifNoneMatch != null;
        if (ifMatch == null) {
            return new ConfigStore.Condition(null, false, noneMatchAny);
        }
        String m = ifMatch.trim();
        if (m.equals("*")) {
            return new ConfigStore.Condition(null, true, noneMatchAny);
        }
        if (m.startsWith("W/")) {
            m = m.substring(2);
        }
        if (m.length() >= 2 && m.startsWith("\"") && m.endsWith("\"")) {
            m = m.substring(1, m.length() - 1);
        }
        try {
            return new ConfigStore.Condition(Long.parseLong(m), false, noneMatchAny);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("If-Match must be a revision (the ETag of a GET) or *, not " + ifMatch);
        }
    }

    static EntityTag etag(long revision) {
        return new EntityTag(Long.toString(revision));
    }

    static boolean isTree(String path) {
        return path.isEmpty() || path.endsWith("/");
    }

    static String errorJson(String message) {
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        return o.toString();
    }
}
