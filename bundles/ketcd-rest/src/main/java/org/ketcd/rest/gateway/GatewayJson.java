package org.ketcd.rest.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's gateway JSON (grpc-gateway v1 with {@code OrigName}): proto field names as written in
 * rpc.proto, 64-bit integers as strings, bytes as base64, enums by name, fields with default values
 * left out; unknown fields in requests ignored. A request that is not valid JSON for its message is a
 * {@link BadRequest} naming the problem.
 */
final class GatewayJson {
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    private GatewayJson() {
    }

    /** Thrown for a request body that is not valid JSON for its message. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The request messages in {@code body}: JSON objects one after another (a stream's requests; a unary
     * call uses the first, as etcd's gateway). An empty body is one empty message.
     */
    static List<byte[]> requests(String body, Message prototype) throws BadRequest {
        List<byte[]> messages = new ArrayList<>();
        try (JsonReader reader = new JsonReader(new StringReader(body))) {
            reader.setLenient(true); // several top-level values
            while (reader.peek() != JsonToken.END_DOCUMENT) {
                JsonElement element = JsonParser.parseReader(reader);
                if (!element.isJsonObject()) {
                    throw new BadRequest("expected a JSON object for " + prototype.getDescriptorForType().getFullName()
                            + ", got " + element);
                }
                messages.add(parse(element.toString(), prototype).toByteArray());
            }
        } catch (JsonParseException | IOException | IllegalStateException e) {
            throw new BadRequest("malformed JSON: " + rootMessage(e));
        }
        if (messages.isEmpty()) {
            messages.add(prototype.toByteArray());
        }
        return messages;
    }

    private static Message parse(String json, Message prototype) throws BadRequest {
        Message.Builder builder = prototype.newBuilderForType();
        try {
            PARSER.merge(json, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new BadRequest("invalid " + prototype.getDescriptorForType().getFullName() + ": " + rootMessage(e));
        }
        return builder.build();
    }

    /** A response message's JSON. */
    static String print(byte[] response, Message prototype) {
        try {
            return PRINTER.print(prototype.getParserForType().parseFrom(response));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the gRPC service sent a malformed " + prototype.getDescriptorForType().getFullName(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        // Gson prefixes its own type names and hints; keep the problem itself
        return m.replaceFirst("^com\\.google\\.gson\\.stream\\.MalformedJsonException: ", "")
                .replaceFirst("\\s*See https://github\\.com/google/gson/.*$", "");
    }
}
