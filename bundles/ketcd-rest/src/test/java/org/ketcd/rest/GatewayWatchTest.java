package org.ketcd.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** etcd's gateway watch: one streaming POST, one {"result":...} line per WatchResponse, open until the client leaves. */
@Timeout(120)
class GatewayWatchTest {
    @RegisterExtension
    static final RestClusterExtension CLUSTER = new RestClusterExtension(1);
    static RestCluster cluster;

    @BeforeAll
    static void bind() {
        cluster = CLUSTER.cluster();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }

    @Test
    void watchStreamsCreatedThenHistoryThenLiveEventsAsResultLines() throws Exception {
        HttpResponse<String> put = cluster.post(0, "/v3/kv/put", "{\"key\":\"" + b64("w/a") + "\",\"value\":\"" + b64("1") + "\"}");
        assertEquals(200, put.statusCode());
        HttpResponse<Stream<String>> response = cluster.gatewayWatch(0, "{\"create_request\":{\"key\":\"" + b64("w/")
                + "\",\"range_end\":\"" + b64("w0") + "\",\"start_revision\":\"1\"}}");
        assertEquals(200, response.statusCode());
        Iterator<String> lines = response.body().iterator();
        String created = lines.next();
        assertTrue(created.startsWith("{\"result\":{\"header\":") && created.endsWith("\"created\":true}}"), created);
        String history = lines.next();
        assertTrue(history.contains("\"events\":[{\"kv\":{\"key\":\"" + b64("w/a") + "\""), history);
        cluster.post(0, "/v3/kv/deleterange", "{\"key\":\"" + b64("w/a") + "\"}");
        String live = lines.next();
        assertTrue(live.contains("\"type\":\"DELETE\""), live);
        response.body().close();
    }
}
