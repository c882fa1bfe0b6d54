package org.ketcd.rest.gateway;

import com.google.protobuf.Message;

/**
 * One route of etcd's JSON gateway: the gRPC method it calls and the message types its JSON is read
 * into and printed from. {@code streaming} routes answer with one {@code {"result":...}} line per
 * response, as grpc-gateway streams.
 */
record GatewayRoute(String method, Message request, Message response, boolean streaming) {
}
