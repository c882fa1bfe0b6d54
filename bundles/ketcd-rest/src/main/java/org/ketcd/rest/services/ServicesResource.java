package org.ketcd.rest.services;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdError;
import org.ketcd.api.EtcdException;
import org.ketcd.api.EtcdServer;
import org.ketcd.rest.RestCredentials;
import org.ketcd.api.KeyValue;
import org.ketcd.api.LeaseGrantResponse;
import org.ketcd.api.LeaseKeepAliveResponse;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.rest.RequestBody;
import org.ketcd.rest.JsonErrors;
import org.ketcd.rest.NumberParam;
import org.ketcd.rest.RestLimits;
import org.ketcd.rest.ServerCall;

/**
 * Service registration: an instance is the key {@code /services/<name>/<instance>} (its value: whatever
 * the instance PUT, e.g. its address as JSON) attached to a lease of {@code ?ttl} seconds. The instance
 * keeps it with {@code POST .../keepalive} before the TTL runs out; if it stops (crash, partition) the
 * lease expires and the instance disappears from {@code GET /services/<name>} for everyone.
 */
@Path("/services")
public final class ServicesResource {
    static final String PREFIX = "/services/";
    static final long DEFAULT_TTL_SECONDS = 30;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._~-]+");

    private final EtcdServer server;
    private final RestLimits limits;

    public ServicesResource(EtcdServer server, RestLimits limits) {
        this.server = server;
        this.limits = limits;
    }

    @PUT
    @Path("{name}/{instance}")
    public Response register(@PathParam("name") String name, @PathParam("instance") String instance,
                             @QueryParam("ttl") String ttl, @HeaderParam("Authorization") String authorization,
                             InputStream body) throws IOException {
        EtcdServer server = RestCredentials.serverFor(this.server, authorization);
        Response bad = checkNames(name, instance);
        if (bad != null) {
            return bad;
        }
        long seconds = ttl == null ? DEFAULT_TTL_SECONDS : NumberParam.positive("ttl (seconds)", ttl);
        byte[] value = RequestBody.read(body, limits);
        LeaseGrantResponse lease = call(server.leaseGrant(seconds, 0));
        long revision = call(server.put(new PutRequest(key(name, instance), value, lease.id(), false, false, false))).revision();
        JsonObject o = instanceJson(name, instance, lease.id(), lease.ttl());
        o.addProperty("revision", revision);
        return Response.status(201).type(MediaType.APPLICATION_JSON_TYPE).entity(o.toString()).build();
    }

    @POST
    @Path("{name}/{instance}/keepalive")
    public Response keepAlive(@PathParam("name") String name, @PathParam("instance") String instance,
                              @HeaderParam("Authorization") String authorization) {
        EtcdServer server = RestCredentials.serverFor(this.server, authorization);
        try {
            KeyValue kv = find(server, name, instance);
            if (kv == null || kv.lease() == 0) {
                return error(404, "no live instance " + instance + " of " + name + ": register it again");
            }
            LeaseKeepAliveResponse r = call(server.leaseKeepAlive(kv.lease()));
            if (r.ttl() <= 0) {
                return error(404, "the registration of " + instance + " expired: register it again");
            }
            return Response.ok(instanceJson(name, instance, r.id(), r.ttl()).toString(), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (EtcdException e) {
            if (e.error() == EtcdError.LEASE_NOT_FOUND) {
                return error(404, "the registration of " + instance + " expired: register it again");
            }
            throw e;
        }
    }

    @DELETE
    @Path("{name}/{instance}")
    public Response deregister(@PathParam("name") String name, @PathParam("instance") String instance,
                               @HeaderParam("Authorization") String authorization) {
        EtcdServer server = RestCredentials.serverFor(this.server, authorization);
        KeyValue kv = find(server, name, instance);
        if (kv == null) {
            return error(404, "no instance " + instance + " of " + name);
        }
        long revision = kv.lease() == 0 ? call(server.deleteRange(new org.ketcd.api.DeleteRangeRequest(kv.key(), Bytes.EMPTY,
                false))).revision() : call(server.leaseRevoke(kv.lease()));
        JsonObject o = new JsonObject();
        o.addProperty("revision", revision);
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("{name}")
    public Response instances(@PathParam("name") String name, @HeaderParam("Authorization") String authorization) {
        EtcdServer server = RestCredentials.serverFor(this.server, authorization);
        Response bad = checkNames(name, "x");
        if (bad != null) {
            return bad;
        }
        byte[] prefix = (PREFIX + name + "/").getBytes(StandardCharsets.UTF_8);
        org.ketcd.api.RangeResponse r = call(server.range(RangeRequest.of(prefix, Bytes.prefixEnd(prefix))));
        JsonArray items = new JsonArray();
        for (KeyValue kv : r.kvs()) {
            String instance = new String(kv.key(), StandardCharsets.UTF_8).substring(prefix.length);
            JsonObject i = new JsonObject();
            i.addProperty("instance", instance);
            i.addProperty("value", new String(kv.value(), StandardCharsets.UTF_8));
            i.addProperty("lease", kv.lease());
            i.addProperty("modRevision", kv.modRevision());
            items.add(i);
        }
        JsonObject o = new JsonObject();
        o.addProperty("service", name);
        o.addProperty("revision", r.revision());
        o.add("instances", items);
        return Response.ok(o.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static KeyValue find(EtcdServer server, String name, String instance) {
        List<KeyValue> kvs = call(server.range(RangeRequest.of(key(name, instance), Bytes.EMPTY))).kvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    private static byte[] key(String name, String instance) {
        return (PREFIX + name + "/" + instance).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject instanceJson(String name, String instance, long lease, long ttl) {
        JsonObject o = new JsonObject();
        o.addProperty("service", name);
        o.addProperty("instance", instance);
        o.addProperty("lease", lease);
        o.addProperty("ttl", ttl);
        return o;
    }

    private static Response checkNames(String name, String instance) {
        if (!NAME.matcher(name).matches() || !NAME.matcher(instance).matches()) {
            return error(400, "service and instance names are letters, digits and . _ ~ -");
        }
        return null;
    }

    private static Response error(int status, String message) {
        return JsonErrors.of(status, message);
    }

    private static <T> T call(CompletableFuture<T> future) {
        return ServerCall.await(future);
    }
}
