package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad requests to every REST API get a 4xx with a JSON body that says what is wrong, in words: no Java class
 * name, no stack trace, no library's hint URL, never an empty body or a 404 for a malformed parameter.
 */
@Timeout(120)
class ErrorTextsTest {
    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(1);
    static RestCluster cluster;
    /** What a leaked implementation detail looks like: a qualified or exception class name, a trace line, a URL. */
    static final Pattern LEAK = Pattern.compile(
            "\\b(java|javax|jakarta|com\\.google|org\\.glassfish|io\\.grpc|org\\.ketcd)\\.|\\w+(Exception|Error)\\b|\\tat |https?://");

    @BeforeAll
    static void bind() {
        cluster = CLUSTER.cluster();
    }

    /** One bad request, the status it must get and words its error must contain. */
    record Case(String method, String path, String body, String[] headers, int status, String says) {
        @Override
        public String toString() {
            return method + " " + path + " " + body + " " + String.join(": ", headers);
        }
    }

    static Case post(String path, String body, int status, String says, String... headers) {
        return new Case("POST", path, body, headers, status, says);
    }

    static Case put(String path, String body, int status, String says, String... headers) {
        return new Case("PUT", path, body, headers, status, says);
    }

    static Case get(String path, int status, String says, String... headers) {
        return new Case("GET", path, null, headers, status, says);
    }

    @Test
    void gatewayErrorsNameTheProblemWithoutJavaNames() throws Exception {
        assertAll(List.of(
                post("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"", 400, "malformed JSON"),
                post("/v3/kv/put", "{\"key\":5}", 400, "base64"),
                post("/v3/kv/put", "{\"key\":\"%%%\"}", 400, "base64"),
                post("/v3/kv/put", "{\"key\":{}}", 400, "BYTES"),
                post("/v3/kv/put", "[1,2]", 400, "got an array"),
                post("/v3/kv/put", "{\"key\":\"Zm9v\",\"lease\":1e19}", 400, "Not an int64 value: 1e19"),
                post("/v3/kv/put", "{\"key\":\"Zm9v\",\"lease\":\"99999999999999999999\"}", 400, "int64"),
                post("/v3/kv/put", "{\"key\":\"Zm9v\",\"lease\":1.5}", 400, "int64"),
                post("/v3/kv/put", "{\"key\":\"Zm9v\",\"prev_kv\":\"yes\"}", 400, "bool"),
                post("/v3/kv/txn", "{\"success\":[5]}", 400, "5"),
                post("/v3/kv/txn", "[".repeat(1000) + "]".repeat(1000), 400, "Nesting limit")));
    }

    @Test
    void gatewayIgnoresUnreadableMediaTypeHeadersAsEtcd() throws Exception {
        assertEquals(200, send(post("/v3/kv/put", "{\"key\":\"Zm9v\"}", 200, "", "Content-Type", ";;;")).statusCode());
        assertEquals(200, send(post("/v3/kv/put", "{\"key\":\"Zm9v\"}", 200, "", "Accept", ";;;")).statusCode());
    }

    @Test
    void anUnknownSortOrderNumberSortsNothingAsEtcdInsteadOfAnInternalError() throws Exception {
        HttpResponse<String> r = send(post("/v3/kv/range", "{\"key\":\"Zm9v\",\"sort_order\":7}", 200, ""));
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void gatewayTxnsNestAsDeepAsEtcdsServerAllows() throws Exception {
        // etcd 3.4.23's gateway: 60 levels run, 130 are too many operations (the default --max-txn-ops 128)
        HttpResponse<String> sixty = send(post("/v3/kv/txn", deepTxnJson(60), 200, ""));
        assertEquals(200, sixty.statusCode(), sixty.body());
        assertTrue(sixty.body().startsWith("{\"header\":"), sixty.body());
        HttpResponse<String> tooMany = send(post("/v3/kv/txn", deepTxnJson(130), 400, ""));
        assertEquals(400, tooMany.statusCode(), tooMany.body());
        assertEquals("etcdserver: too many operations in txn request",
                JsonParser.parseString(tooMany.body()).getAsJsonObject().get("error").getAsString());
    }

    @Test
    void configErrorsNameTheProblemWithoutJavaNames() throws Exception {
        assertAll(List.of(
                put("/config/t/", "{\"a\":", 400, "JSON"),
                put("/config/t/", "[1,2]", 400, "not an array"),
                put("/config/t/", "\"x\"", 400, "not a string"),
                put("/config/t/", "{\"a\":1,}", 400, "JSON"),
                get("/config/t/x?revision=abc", 400, "revision"),
                get("/config/t/x?revision=99999999999999999999", 400, "revision"),
                get("/config/t/x?watch", 400, "Last-Event-ID", "Last-Event-ID", "zz"),
                put("/config/t/x", "1", 400, "If-Match", "If-Match", "abc"),
                put("/config/t/x", "1", 400, "Content-Type ';;;' is not a media type", "Content-Type", ";;;"),
                get("/config/t/none", 404, "no value", "Accept", ";;;")));
    }

    @Test
    void servicesErrorsNameTheProblemWithoutJavaNames() throws Exception {
        assertAll(List.of(
                put("/services/s/i?ttl=abc", "x", 400, "ttl"),
                put("/services/s/i?ttl=1e400", "x", 400, "ttl"),
                put("/services/s/i?ttl=99999999999999999999", "x", 400, "ttl"),
                put("/services/s%20x/i", "x", 400, "names")));
    }

    @Test
    void aTreeKeepsNumbersAsTheyWereWrittenNotAsJavaDoubles() throws Exception {
        HttpResponse<String> r = send(put("/config/numbers/", "{\"big\":123456789012345678901234567890,\"e\":1e999,\"f\":0.1}",
                200, ""));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("123456789012345678901234567890", cluster.get(0, "/config/numbers/big").body());
        assertEquals("1e999", cluster.get(0, "/config/numbers/e").body());
        assertEquals("0.1", cluster.get(0, "/config/numbers/f").body());
    }

    static void assertAll(List<Case> cases) throws Exception {
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            HttpResponse<String> r = send(c);
            String problem = problem(c, r);
            if (problem != null) {
                failures.add(c + " -> " + r.statusCode() + " " + r.body() + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    static String problem(Case c, HttpResponse<String> r) {
        if (r.statusCode() != c.status()) {
            return "expected status " + c.status();
        }
        JsonObject body;
        try {
            body = JsonParser.parseString(r.body()).getAsJsonObject();
        } catch (RuntimeException notJson) {
            return "not a JSON object";
        }
        if (!body.has("error") || !body.get("error").isJsonPrimitive() || body.get("error").getAsString().isBlank()) {
            return "no error message";
        }
        String error = body.get("error").getAsString();
        if (LEAK.matcher(r.body()).find()) {
            return "leaks an implementation name";
        }
        if (!error.contains(c.says())) {
            return "does not say '" + c.says() + "'";
        }
        return null;
    }

    static HttpResponse<String> send(Case c) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.clientUrl(0) + c.path()))
                .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c.body()));
        for (int i = 0; i < c.headers().length; i += 2) {
            b.header(c.headers()[i], c.headers()[i + 1]);
        }
        return cluster.send(b);
    }

    /** A txn nested {@code depth} levels in the gateway's JSON. */
    static String deepTxnJson(int depth) {
        String txn = "{\"success\":[{\"request_put\":{\"key\":\"Zm9v\",\"value\":\"YmFy\"}}]}";
        for (int i = 1; i < depth; i++) {
            txn = "{\"success\":[{\"request_txn\":" + txn + "}]}";
        }
        return txn;
    }

    @Test
    void leakPatternFindsWhatItMustFind() {
        assertTrue(LEAK.matcher("a tree is a JSON object: java.io.EOFException: End of input").find());
        assertTrue(LEAK.matcher("internal error: NullPointerException").find());
        assertTrue(LEAK.matcher("See https://github.com/google/gson/blob/main/Troubleshooting.md").find());
        assertFalse(LEAK.matcher("malformed JSON: End of input at line 1 column 29 path $.value").find());
    }
}
