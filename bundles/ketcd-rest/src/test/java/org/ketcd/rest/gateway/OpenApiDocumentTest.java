package org.ketcd.rest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** The OpenAPI document describes every route the server serves. */
class OpenApiDocumentTest {
    @Test
    void documentIsOpenApi3AndListsEveryGatewayRouteAndTheConfigApi() {
        JsonObject doc = JsonParser.parseString(OpenApiResource.build()).getAsJsonObject();
        assertEquals("3.0.3", doc.get("openapi").getAsString());
        JsonObject paths = doc.getAsJsonObject("paths");
        for (String route : GatewayRoutes.all().keySet()) {
            assertTrue(paths.has("/v3/" + route), "missing /v3/" + route);
        }
        for (String own : new String[] {"/config/{path}", "/services/{name}", "/services/{name}/{instance}",
                "/services/{name}/{instance}/keepalive", "/health", "/version", "/openapi.json"}) {
            assertTrue(paths.has(own), "missing " + own);
        }
    }
}
