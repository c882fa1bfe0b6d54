package org.ketcd.rest;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Request bodies as JSON, nested at most {@value #MAX_NESTING} deep. A body that is not JSON is a {@link Malformed} whose message says what and where,
 * in Gson's words without its exception names or troubleshooting links.
 */
public final class JsonInput {
    /** Deepest nesting read: a gateway transaction level takes 3, so it covers the 256 levels the gRPC service parses. */
    public static final int MAX_NESTING = 800;
    /** A JSON path longer than this is cut in messages (a deep document's path would repeat for pages). */
    static final int MAX_PATH_CHARS = 60;

    private JsonInput() {
    }

    /** Thrown for a body that is not JSON; its message is for the client. */
    public static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** The one JSON value in {@code body}. */
    public static JsonElement value(String body) throws Malformed {
        List<JsonElement> values = values(body);
        if (values.size() != 1) {
            throw new Malformed(values.isEmpty() ? "malformed JSON: the body is empty" : "malformed JSON: more than one value");
        }
        return values.get(0);
    }

    /** The JSON values in {@code body}, one after another (a gateway stream's requests). */
    public static List<JsonElement> values(String body) throws Malformed {
        List<JsonElement> values = new ArrayList<>();
        if (body.isBlank()) {
            return values; // Gson's lenient reader calls an empty document malformed
        }
        try (JsonReader reader = new JsonReader(new StringReader(body))) {
            reader.setStrictness(Strictness.LENIENT); // several top-level values
            reader.setNestingLimit(MAX_NESTING);
            while (reader.peek() != JsonToken.END_DOCUMENT) {
                values.add(JsonParser.parseReader(reader));
            }
        } catch (JsonParseException | IOException | IllegalStateException e) {
            throw new Malformed("malformed JSON: " + describe(e));
        }
        return values;
    }

    /** What a JSON value is, for messages (the value itself may be megabytes). */
    public static String kind(JsonElement value) {
        if (value.isJsonObject()) {
            return "an object";
        }
        if (value.isJsonArray()) {
            return "an array";
        }
        if (value.isJsonNull()) {
            return "null";
        }
        return value.getAsJsonPrimitive().isString() ? "a string" : value.getAsJsonPrimitive().isNumber() ? "a number" : "a boolean";
    }

    /** Gson's message for the problem itself: no exception class prefix, no hint URL, a short path. */
    public static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() != null
                && t.getCause().getMessage() != null && t.getMessage().contains(t.getCause().getMessage())) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? "unreadable input" : t.getMessage();
        m = m.replaceAll("(?:[a-z]+\\.)+[A-Z]\\w*(?:Exception|Error): ", "")
                .replaceAll("\\s*See https?://\\S+", "")
                .replaceAll("(path \\S{" + MAX_PATH_CHARS + "})\\S+", "$1...");
        return m.trim();
    }
}
