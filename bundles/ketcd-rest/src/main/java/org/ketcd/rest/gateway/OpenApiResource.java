package org.ketcd.rest.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The OpenAPI 3.0 document at {@code GET /openapi.json}: Ketcd's own API as written in
 * {@code openapi-base.json}, plus every gateway route generated from {@link GatewayRoutes}, so the
 * document cannot miss a route the server has.
 */
@Path("/openapi.json")
public final class OpenApiResource {
    private final String document = build();

    @GET
    public Response get() {
        return Response.ok(document, MediaType.APPLICATION_JSON_TYPE).build();
    }

    static String build() {
        JsonObject doc;
        try (InputStream in = OpenApiResource.class.getResourceAsStream("/org/ketcd/rest/openapi-base.json")) {
            doc = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonObject paths = doc.getAsJsonObject("paths");
        for (Map.Entry<String, GatewayRoute> e : GatewayRoutes.all().entrySet()) {
            GatewayRoute r = e.getValue();
            JsonObject post = new JsonObject();
            post.addProperty("summary", "etcd gRPC " + r.method() + (r.streaming() ? " (streaming: one {\"result\":...} line per response)" : ""));
            JsonArray tags = new JsonArray();
            tags.add("etcd JSON gateway");
            post.add("tags", tags);
            post.add("requestBody", content("etcd " + r.request().getDescriptorForType().getFullName()));
            JsonObject responses = new JsonObject();
            JsonObject ok = content("etcd " + r.response().getDescriptorForType().getFullName());
            ok.addProperty("description", "etcd " + r.response().getDescriptorForType().getFullName());
            responses.add("200", ok);
            JsonObject err = new JsonObject();
            err.addProperty("description", "{\"error\",\"message\",\"code\"}: the gRPC status, HTTP status as grpc-gateway maps it");
            responses.add("default", err);
            post.add("responses", responses);
            JsonObject item = new JsonObject();
            item.add("post", post);
            paths.add("/v3/" + e.getKey(), item);
        }
        return doc.toString();
    }

    private static JsonObject content(String description) {
        JsonObject schema = new JsonObject();
        schema.addProperty("type", "object");
        schema.addProperty("description", description + " as JSON: proto field names, int64 as strings, bytes base64");
        JsonObject json = new JsonObject();
        json.add("schema", schema);
        JsonObject content = new JsonObject();
        content.add("application/json", json);
        JsonObject body = new JsonObject();
        body.add("content", content);
        return body;
    }
}
