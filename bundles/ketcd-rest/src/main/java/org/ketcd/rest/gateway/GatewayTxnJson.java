package org.ketcd.rest.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import java.util.Map;

/**
 * A TxnRequest's JSON read one nesting level at a time: protobuf's JSON parser stops at 100 nested messages
 * (50 transaction levels) while etcd's gateway takes as many as its server (129 with the default
 * --max-txn-ops). Each level's compares and non-transaction operations still go through protobuf's parser;
 * only {@code request_txn} members are taken apart here. Nesting is bounded by the JSON reader.
 */
final class GatewayTxnJson {
    private static final String[] BRANCHES = {"success", "failure"};
    private static final String[] NESTED_TXN = {"request_txn", "requestTxn"};

    private GatewayTxnJson() {
    }

    static TxnRequest txn(JsonObject json) throws GatewayJson.BadRequest {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        JsonObject level = new JsonObject();
        for (Map.Entry<String, JsonElement> member : json.entrySet()) {
            if (!isBranch(member.getKey()) || !member.getValue().isJsonArray()) {
                level.add(member.getKey(), member.getValue());
            }
        }
        GatewayJson.merge(level, txn);
        for (String branch : BRANCHES) {
            JsonElement ops = json.get(branch);
            if (ops != null && ops.isJsonArray()) {
                for (JsonElement op : ops.getAsJsonArray()) {
                    RequestOp parsed = op(op);
                    if (branch.equals("success")) {
                        txn.addSuccess(parsed);
                    } else {
                        txn.addFailure(parsed);
                    }
                }
            }
        }
        return txn.build();
    }

    private static RequestOp op(JsonElement json) throws GatewayJson.BadRequest {
        RequestOp.Builder op = RequestOp.newBuilder();
        if (!json.isJsonObject()) {
            JsonObject wrapped = new JsonObject(); // protobuf's parser names the problem
            com.google.gson.JsonArray one = new com.google.gson.JsonArray();
            one.add(json);
            wrapped.add("success", one);
            GatewayJson.merge(wrapped, TxnRequest.newBuilder());
            return op.build();
        }
        JsonObject level = new JsonObject();
        JsonObject nested = null;
        for (Map.Entry<String, JsonElement> member : json.getAsJsonObject().entrySet()) {
            if (isNestedTxn(member.getKey()) && member.getValue().isJsonObject()) {
                nested = member.getValue().getAsJsonObject();
            } else {
                level.add(member.getKey(), member.getValue());
            }
        }
        GatewayJson.merge(level, op);
        if (nested != null) {
            op.setRequestTxn(txn(nested));
        }
        return op.build();
    }

    private static boolean isBranch(String name) {
        return name.equals(BRANCHES[0]) || name.equals(BRANCHES[1]);
    }

    private static boolean isNestedTxn(String name) {
        return name.equals(NESTED_TXN[0]) || name.equals(NESTED_TXN[1]);
    }
}
