package org.ketcd.rest.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.etcd.jetcd.api.TxnRequest;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.rest.JsonInput;

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

    /** A txn response nests as deep as its request: the gRPC service parses 256 levels, two messages each. */
    static final int RESPONSE_RECURSION_LIMIT = 1024;

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
        List<JsonElement> values;
        try {
            values = JsonInput.values(body);
        } catch (JsonInput.Malformed e) {
            throw new BadRequest(e.getMessage());
        }
        List<byte[]> messages = new ArrayList<>();
        for (JsonElement value : values) {
            if (!value.isJsonObject()) {
                throw new BadRequest("expected a JSON object for " + prototype.getDescriptorForType().getFullName()
                        + ", got " + JsonInput.kind(value));
            }
            messages.add(parse(value.getAsJsonObject(), prototype).toByteArray());
        }
        if (messages.isEmpty()) {
            messages.add(prototype.toByteArray());
        }
        return messages;
    }

    private static Message parse(JsonObject json, Message prototype) throws BadRequest {
        if (prototype instanceof TxnRequest) {
            return GatewayTxnJson.txn(json);
        }
        Message.Builder builder = prototype.newBuilderForType();
        merge(json, builder);
        return builder.build();
    }

    /** Merges {@code json} into {@code builder} as protobuf's JSON mapping reads it. */
    static void merge(JsonObject json, Message.Builder builder) throws BadRequest {
        try {
            PARSER.merge(json.toString(), builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new BadRequest("invalid " + builder.getDescriptorForType().getFullName() + ": " + describe(e));
        }
    }

    /** JsonFormat's message, which names the value and the type it is not; base64 failures said so only in a class name. */
    private static String describe(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getSimpleName().equals("DecodingException")) { // Guava's, from BaseEncoding
                return "a bytes field is not base64 (" + t.getMessage() + ")";
            }
        }
        return JsonInput.describe(e);
    }

    /** A response message's JSON. */
    static String print(byte[] response, Message prototype) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(response);
            in.setRecursionLimit(RESPONSE_RECURSION_LIMIT);
            return PRINTER.print(prototype.getParserForType().parseFrom(in));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the gRPC service sent a malformed " + prototype.getDescriptorForType().getFullName(), e);
        }
    }
}
