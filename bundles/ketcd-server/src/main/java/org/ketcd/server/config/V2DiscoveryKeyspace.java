package org.ketcd.server.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.api.DiscoveryKeyspace;

/**
 * The keyspace of etcd's original discovery protocol ({@code --discovery <url>}) over the v2 keys
 * API, as discovery.etcd.io and an etcd with {@code --enable-v2} serve it: the discovery URL is the
 * token's directory, {@code <url>/_config/size} the size, {@code <url>/<member id>} a registration
 * (created with {@code prevExist=false}), its {@code createdIndex} the order.
 */
final class V2DiscoveryKeyspace implements DiscoveryKeyspace {
    /** etcd's client.DefaultRequestTimeout. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** v2 error code of a create whose key exists. */
    private static final int NODE_EXIST = 105;
    private static final int KEY_NOT_FOUND = 100;

    private final String url;
    private final HttpClient http;

    /** {@code proxy} is {@code --discovery-proxy} (an http://host:port URL) or empty. */
    V2DiscoveryKeyspace(String url, String proxy) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).version(HttpClient.Version.HTTP_1_1);
        if (!proxy.isEmpty()) {
            URI p = URI.create(proxy);
            b.proxy(ProxySelector.of(new InetSocketAddress(p.getHost(), p.getPort())));
        }
        this.http = b.build();
    }

    @Override
    public String size() throws IOException {
        JsonObject answer = send(HttpRequest.newBuilder(URI.create(url + "/_config/size")).GET());
        if (answer.has("errorCode")) {
            // etcd 3.4 reports the keys API's error as it comes (its check for "size not found" misses it).
            throw new IOException(v2Error(answer));
        }
        return answer.getAsJsonObject("node").get("value").getAsString();
    }

    @Override
    public boolean register(String memberId, String peers) throws IOException {
        String body = "value=" + URLEncoder.encode(peers, StandardCharsets.UTF_8);
        JsonObject answer = send(HttpRequest.newBuilder(URI.create(url + "/" + memberId + "?prevExist=false"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
        if (answer.has("errorCode")) {
            if (answer.get("errorCode").getAsInt() == NODE_EXIST) {
                return false;
            }
            throw new IOException(v2Error(answer));
        }
        return true;
    }

    @Override
    public List<Registration> registrations() throws IOException {
        JsonObject answer = send(HttpRequest.newBuilder(URI.create(url)).GET());
        List<Registration> out = new ArrayList<>();
        if (answer.has("errorCode")) {
            if (answer.get("errorCode").getAsInt() == KEY_NOT_FOUND) {
                return out;
            }
            throw new IOException(v2Error(answer));
        }
        JsonElement nodes = answer.getAsJsonObject("node").get("nodes");
        if (nodes != null) {
            for (JsonElement n : nodes.getAsJsonArray()) {
                JsonObject node = n.getAsJsonObject();
                String key = node.get("key").getAsString();
                String id = key.substring(key.lastIndexOf('/') + 1);
                if (!id.equals("_config") && node.has("value")) {
                    out.add(new Registration(id, node.get("value").getAsString(), node.get("createdIndex").getAsLong()));
                }
            }
        }
        return out;
    }

    /** The v2 API's error as etcd's client prints it: {@code 100: Key not found (/token) [7]}. */
    private static String v2Error(JsonObject e) {
        return e.get("errorCode").getAsInt() + ": " + string(e, "message") + " (" + string(e, "cause") + ") ["
                + (e.has("index") ? e.get("index").getAsLong() : 0) + "]";
    }

    private static String string(JsonObject o, String field) {
        return o.has(field) && !o.get(field).isJsonNull() ? o.get(field).getAsString() : "";
    }

    private JsonObject send(HttpRequest.Builder request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to the discovery service " + url);
        } catch (IOException e) {
            // etcd's client: the discovery service cannot be reached
            throw new IOException("client: etcd cluster is unavailable or misconfigured; error #0: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        try {
            return JsonParser.parseString(response.body()).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException("discovery: bad discovery endpoint");
        }
    }

    @Override
    public void close() {
        // java.net.http.HttpClient holds no resources that need closing before Java 21
    }
}
