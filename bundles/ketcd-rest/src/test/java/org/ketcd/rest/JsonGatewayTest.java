package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** etcd's JSON gateway on a member's client port: the answers etcd 3.4 gives to the same curl requests. */
@Timeout(120)
class JsonGatewayTest {
    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(1, "--max-request-bytes", "1024");
    static RestCluster cluster;

    @BeforeAll
    static void bind() {
        cluster = CLUSTER.cluster();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }

    static JsonObject json(HttpResponse<String> r) {
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    @Test
    void putThenRangeAnswersWithBase64KeysAndInt64AsStrings() throws Exception {
        HttpResponse<String> put = cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("gw/a") + "\",\"value\":\"" + b64("1") + "\"}");
        assertEquals(200, put.statusCode(), put.body());
        String revision = json(put).getAsJsonObject("header").get("revision").getAsString();
        HttpResponse<String> range = cluster.post(0, "/v3/kv/range", "{\"key\":\"" + b64("gw/a") + "\"}");
        assertEquals(200, range.statusCode());
        JsonObject kv = json(range).getAsJsonArray("kvs").get(0).getAsJsonObject();
        assertEquals(b64("gw/a"), kv.get("key").getAsString());
        assertEquals(b64("1"), kv.get("value").getAsString());
        assertEquals(revision, kv.get("mod_revision").getAsString());
        assertTrue(range.body().contains("\"count\":\"1\""), range.body());
        assertTrue(range.body().contains("\"create_revision\":\"" + revision + "\""), range.body());
    }

    /**
     * A keep-alive client calling one at a time (as Patroni does) gets each answer as soon as it is written: never held
     * back by Nagle's algorithm waiting for a delayed ACK (Linux delays one by 40 ms or more). The bound is a median,
     * so one slow call on a busy machine does not matter; a held-back answer takes >= 40 ms every time.
     */
    @Test
    void callsOneAtATimeOnAKeepAliveConnectionAreNotHeldBackByADelayedAck() throws Exception {
        cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("gw/fast") + "\",\"value\":\"" + b64("1") + "\"}");
        long[] millis = new long[21];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            HttpResponse<String> r = cluster.post(0, "/v3/kv/range", "{\"key\":\"" + b64("gw/fast") + "\"}");
            millis[i] = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.statusCode(), r.body());
        }
        long[] sorted = millis.clone();
        java.util.Arrays.sort(sorted);
        assertTrue(sorted[sorted.length / 2] < 30, "median call took " + sorted[sorted.length / 2] + " ms: "
                + java.util.Arrays.toString(millis));
    }

    @Test
    void v3betaPrefixServesTheSameRoutes() throws Exception {
        HttpResponse<String> r = cluster.post(0, "/v3beta/kv/range", "{\"key\":\"" + b64("nothing") + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(json(r).has("header"));
    }

    @Test
    void futureRevisionIsGrpcOutOfRangeAs400WithEtcdsBody() throws Exception {
        HttpResponse<String> r = cluster.post(0, "/v3/kv/range", "{\"key\":\"" + b64("x") + "\",\"revision\":\"1000000\"}");
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"etcdserver: mvcc: required revision is a future revision\","
                + "\"message\":\"etcdserver: mvcc: required revision is a future revision\",\"code\":11}", r.body());
    }

    @Test
    void duplicateKeyInTxnIs400InvalidArgument() throws Exception {
        String op = "{\"request_put\":{\"key\":\"" + b64("d") + "\",\"value\":\"" + b64("1") + "\"}}";
        HttpResponse<String> r = cluster.post(0, "/v3/kv/txn", "{\"success\":[" + op + "," + op + "]}");
        assertEquals(400, r.statusCode());
        assertEquals(3, json(r).get("code").getAsInt());
        assertEquals("etcdserver: duplicate key given in txn request", json(r).get("error").getAsString());
    }

    @Test
    void unknownLeaseRevokeIs404NotFound() throws Exception {
        HttpResponse<String> r = cluster.post(0, "/v3/lease/revoke", "{\"ID\":\"12345\"}");
        assertEquals(404, r.statusCode());
        assertEquals("etcdserver: requested lease not found", json(r).get("message").getAsString());
    }

    @Test
    void brokenJsonIs400NamingTheProblemAndChangesNothing() throws Exception {
        long before = cluster.cluster().member(0).server().currentRevision();
        HttpResponse<String> r = cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("broken"));
        assertEquals(400, r.statusCode());
        assertEquals(3, json(r).get("code").getAsInt());
        assertTrue(json(r).get("error").getAsString().startsWith("malformed JSON"), r.body());
        assertEquals(before, cluster.cluster().member(0).server().currentRevision());
    }

    @Test
    void badBase64Is400() throws Exception {
        HttpResponse<String> r = cluster.post(0, "/v3/kv/put", "{\"key\":\"!!!\",\"value\":\"" + b64("v") + "\"}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(json(r).get("error").getAsString().contains("etcdserverpb.PutRequest"), r.body());
    }

    @Test
    void requestOverMaxRequestBytesIsRefusedByTheServerAsEtcd() throws Exception {
        String value = b64("x".repeat(2000));
        HttpResponse<String> r = cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("big") + "\",\"value\":\"" + value + "\"}");
        assertEquals(400, r.statusCode());
        assertEquals("etcdserver: request is too large", json(r).get("error").getAsString());
    }

    @Test
    void requestOverTheGrpcLimitIs429AsEtcdsGateway() throws Exception {
        String value = b64("x".repeat(1024 + 512 * 1024 + 10));
        HttpResponse<String> r = cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("big") + "\",\"value\":\"" + value + "\"}");
        assertEquals(429, r.statusCode());
        assertTrue(json(r).get("error").getAsString().startsWith("grpc: received message larger than max ("), r.body());
    }

    @Test
    void bodyOverTwiceTheGrpcLimitIs413AndChangesNothing() throws Exception {
        String value = "A".repeat(3 * (1024 + 512 * 1024));
        long before = cluster.cluster().member(0).server().currentRevision();
        HttpResponse<String> r = cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("big") + "\",\"value\":\"" + value + "\"}");
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("request body larger than"), r.body());
        assertEquals(before, cluster.cluster().member(0).server().currentRevision());
    }

    @Test
    void aPostWithoutBodyIsTheEmptyRequestAsEtcd() throws Exception {
        HttpResponse<String> r = cluster.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.clientUrl(0)
                + "/v3/maintenance/status")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(json(r).has("leader"), r.body());
    }

    @Test
    void unknownRouteIs404NotFoundAsEtcd() throws Exception {
        HttpResponse<String> r = cluster.post(0, "/v3/kv/nothing", "{}");
        assertEquals(404, r.statusCode());
        assertEquals("Not Found\n", r.body());
    }

    @Test
    void everyAnswerAllowsAllOriginsAndOptionsIsAPreflightAsEtcd() throws Exception {
        HttpResponse<String> r = cluster.post(0, "/v3/kv/range", "{}");
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        HttpResponse<String> options = cluster.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.clientUrl(0) + "/v3/kv/range"))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, options.statusCode());
        assertEquals("POST, GET, OPTIONS, PUT, DELETE", options.headers().firstValue("Access-Control-Allow-Methods").orElse(""));
    }

    @Test
    void getOnAGatewayRouteIs405() throws Exception {
        assertEquals(405, cluster.get(0, "/v3/kv/range").statusCode());
    }

    @Test
    void healthAndVersionAnswerAsEtcd() throws Exception {
        HttpResponse<String> health = cluster.get(0, "/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"health\":\"true\"}", health.body());
        HttpResponse<String> version = cluster.get(0, "/version");
        assertEquals("{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}", version.body());
    }

    @Test
    void openApiDocumentIsServedAtAStableUrl() throws Exception {
        HttpResponse<String> r = cluster.get(0, "/openapi.json");
        assertEquals(200, r.statusCode());
        assertTrue(json(r).getAsJsonObject("paths").has("/config/{path}"), r.body());
    }

    @Test
    void restServerStopAndRestartLeavesGrpcServingAndHttpAnswers404Meanwhile() throws Exception {
        // what an update of the ketcd-rest bundle does to the member: only the REST server goes and comes back
        try (RestCluster bare = RestCluster.start(CLUSTER.dir().resolve("bare"), 1)) {
            io.grpc.ManagedChannel grpc = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
                    .forTarget(bare.clientUrl(0).replace("http://", "")).usePlaintext().build();
            try {
                var kv = io.etcd.jetcd.api.KVGrpc.newBlockingStub(grpc);
                var range = io.etcd.jetcd.api.RangeRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).build();
                kv.range(range);
                bare.stopRest(0);
                HttpResponse<String> r = bare.get(0, "/health");
                assertEquals(404, r.statusCode());
                assertTrue(r.body().contains("ketcd-rest"), r.body());
                kv.range(range); // the same gRPC connection keeps working
                bare.startRest(0);
                assertEquals(200, bare.get(0, "/health").statusCode());
                kv.range(range);
            } finally {
                grpc.shutdownNow();
            }
        }
    }

    @Test
    void leaseLeasesListsGrantedLeasesWithUppercaseId() throws Exception {
        HttpResponse<String> grant = cluster.post(0, "/v3/lease/grant", "{\"TTL\":\"60\",\"ID\":\"777\"}");
        assertEquals(200, grant.statusCode(), grant.body());
        HttpResponse<String> leases = cluster.post(0, "/v3/lease/leases", "{}");
        assertTrue(leases.body().contains("{\"ID\":\"777\"}"), leases.body());
    }

    @Test
    void leaseKeepAliveAnswersOneResultLine() throws Exception {
        cluster.post(0, "/v3/lease/grant", "{\"TTL\":\"60\",\"ID\":\"888\"}");
        HttpResponse<String> r = cluster.post(0, "/v3/lease/keepalive", "{\"ID\":\"888\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"result\":{\"header\":"), r.body());
        assertTrue(r.body().contains("\"ID\":\"888\",\"TTL\":\"60\"}}\n"), r.body());
    }
}
