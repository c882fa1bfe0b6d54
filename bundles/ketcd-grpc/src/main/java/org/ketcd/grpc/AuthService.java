package org.ketcd.grpc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.AuthDisableRequest;
import io.etcd.jetcd.api.AuthDisableResponse;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthEnableResponse;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleAddResponse;
import io.etcd.jetcd.api.AuthRoleDeleteRequest;
import io.etcd.jetcd.api.AuthRoleDeleteResponse;
import io.etcd.jetcd.api.AuthRoleGetRequest;
import io.etcd.jetcd.api.AuthRoleGetResponse;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionResponse;
import io.etcd.jetcd.api.AuthRoleListRequest;
import io.etcd.jetcd.api.AuthRoleListResponse;
import io.etcd.jetcd.api.AuthRoleRevokePermissionRequest;
import io.etcd.jetcd.api.AuthRoleRevokePermissionResponse;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserAddResponse;
import io.etcd.jetcd.api.AuthUserChangePasswordRequest;
import io.etcd.jetcd.api.AuthUserChangePasswordResponse;
import io.etcd.jetcd.api.AuthUserDeleteRequest;
import io.etcd.jetcd.api.AuthUserDeleteResponse;
import io.etcd.jetcd.api.AuthUserGetRequest;
import io.etcd.jetcd.api.AuthUserGetResponse;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleResponse;
import io.etcd.jetcd.api.AuthUserListRequest;
import io.etcd.jetcd.api.AuthUserListResponse;
import io.etcd.jetcd.api.AuthUserRevokeRoleRequest;
import io.etcd.jetcd.api.AuthUserRevokeRoleResponse;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.AuthenticateResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.ketcd.api.EtcdAuth;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Permission;

/** etcd's Auth service over the server's {@link EtcdAuth}, each call as its caller. */
final class AuthService extends AuthGrpc.AuthImplBase {
    private final EtcdServer member;

    AuthService(EtcdServer member) {
        this.member = member;
    }

    private EtcdAuth auth() {
        return CallerToken.serverFor(member).auth();
    }

    private ResponseHeader header() {
        return KvMessages.header(member.header(member.currentRevision()));
    }

    @Override
    public void authEnable(AuthEnableRequest request, StreamObserver<AuthEnableResponse> observer) {
        StatusMapping.reply(observer, done -> AuthEnableResponse.newBuilder().setHeader(header()).build(), auth()::enable);
    }

    @Override
    public void authDisable(AuthDisableRequest request, StreamObserver<AuthDisableResponse> observer) {
        StatusMapping.reply(observer, done -> AuthDisableResponse.newBuilder().setHeader(header()).build(), auth()::disable);
    }

    @Override
    public void authenticate(AuthenticateRequest request, StreamObserver<AuthenticateResponse> observer) {
        StatusMapping.reply(observer, token -> AuthenticateResponse.newBuilder().setHeader(header()).setToken(token).build(),
                () -> auth().authenticate(request.getName(), request.getPassword()));
    }

    @Override
    public void userAdd(AuthUserAddRequest request, StreamObserver<AuthUserAddResponse> observer) {
        StatusMapping.reply(observer, done -> AuthUserAddResponse.newBuilder().setHeader(header()).build(),
                () -> auth().userAdd(request.getName(), request.getPassword()));
    }

    @Override
    public void userGet(AuthUserGetRequest request, StreamObserver<AuthUserGetResponse> observer) {
        StatusMapping.reply(observer, roles -> AuthUserGetResponse.newBuilder().setHeader(header()).addAllRoles(roles).build(),
                () -> auth().userGet(request.getName()));
    }

    @Override
    public void userList(AuthUserListRequest request, StreamObserver<AuthUserListResponse> observer) {
        StatusMapping.reply(observer, users -> AuthUserListResponse.newBuilder().setHeader(header()).addAllUsers(users).build(),
                auth()::userList);
    }

    @Override
    public void userDelete(AuthUserDeleteRequest request, StreamObserver<AuthUserDeleteResponse> observer) {
        StatusMapping.reply(observer, done -> AuthUserDeleteResponse.newBuilder().setHeader(header()).build(),
                () -> auth().userDelete(request.getName()));
    }

    @Override
    public void userChangePassword(AuthUserChangePasswordRequest request, StreamObserver<AuthUserChangePasswordResponse> observer) {
        StatusMapping.reply(observer, done -> AuthUserChangePasswordResponse.newBuilder().setHeader(header()).build(),
                () -> auth().userChangePassword(request.getName(), request.getPassword()));
    }

    @Override
    public void userGrantRole(AuthUserGrantRoleRequest request, StreamObserver<AuthUserGrantRoleResponse> observer) {
        StatusMapping.reply(observer, done -> AuthUserGrantRoleResponse.newBuilder().setHeader(header()).build(),
                () -> auth().userGrantRole(request.getUser(), request.getRole()));
    }

    @Override
    public void userRevokeRole(AuthUserRevokeRoleRequest request, StreamObserver<AuthUserRevokeRoleResponse> observer) {
        StatusMapping.reply(observer, done -> AuthUserRevokeRoleResponse.newBuilder().setHeader(header()).build(),
                () -> auth().userRevokeRole(request.getName(), request.getRole()));
    }

    @Override
    public void roleAdd(AuthRoleAddRequest request, StreamObserver<AuthRoleAddResponse> observer) {
        StatusMapping.reply(observer, done -> AuthRoleAddResponse.newBuilder().setHeader(header()).build(),
                () -> auth().roleAdd(request.getName()));
    }

    @Override
    public void roleGet(AuthRoleGetRequest request, StreamObserver<AuthRoleGetResponse> observer) {
        StatusMapping.reply(observer, perms -> AuthRoleGetResponse.newBuilder().setHeader(header())
                .addAllPerm(perms.stream().map(AuthService::toProto).toList()).build(), () -> auth().roleGet(request.getRole()));
    }

    @Override
    public void roleList(AuthRoleListRequest request, StreamObserver<AuthRoleListResponse> observer) {
        StatusMapping.reply(observer, roles -> AuthRoleListResponse.newBuilder().setHeader(header()).addAllRoles(roles).build(),
                auth()::roleList);
    }

    @Override
    public void roleDelete(AuthRoleDeleteRequest request, StreamObserver<AuthRoleDeleteResponse> observer) {
        StatusMapping.reply(observer, done -> AuthRoleDeleteResponse.newBuilder().setHeader(header()).build(),
                () -> auth().roleDelete(request.getRole()));
    }

    @Override
    public void roleGrantPermission(AuthRoleGrantPermissionRequest request, StreamObserver<AuthRoleGrantPermissionResponse> observer) {
        StatusMapping.reply(observer, done -> AuthRoleGrantPermissionResponse.newBuilder().setHeader(header()).build(),
                () -> auth().roleGrantPermission(request.getName(), fromProto(request.getPerm())));
    }

    @Override
    public void roleRevokePermission(AuthRoleRevokePermissionRequest request,
                                     StreamObserver<AuthRoleRevokePermissionResponse> observer) {
        StatusMapping.reply(observer, done -> AuthRoleRevokePermissionResponse.newBuilder().setHeader(header()).build(),
                () -> auth().roleRevokePermission(request.getRole(), request.getKey().toByteArray(),
                        request.getRangeEnd().toByteArray()));
    }

    static io.etcd.jetcd.api.Permission toProto(Permission p) {
        return io.etcd.jetcd.api.Permission.newBuilder()
                .setPermTypeValue(p.type().ordinal())
                .setKey(ByteString.copyFrom(p.key()))
                .setRangeEnd(ByteString.copyFrom(p.rangeEnd()))
                .build();
    }

    /** An unknown permission type number is refused as etcd's gRPC layer refuses an undecodable enum. */
    static Permission fromProto(io.etcd.jetcd.api.Permission p) {
        List<Permission.Type> types = List.of(Permission.Type.values());
        int type = p.getPermTypeValue();
        if (type < 0 || type >= types.size()) {
            throw new IllegalArgumentException("etcdserver: invalid permission type " + type);
        }
        return new Permission(types.get(type), p.getKey().toByteArray(), p.getRangeEnd().toByteArray());
    }
}
