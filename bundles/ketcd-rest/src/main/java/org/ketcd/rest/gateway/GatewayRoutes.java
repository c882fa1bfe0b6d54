package org.ketcd.rest.gateway;

import com.google.protobuf.Message;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.AuthDisableRequest;
import io.etcd.jetcd.api.AuthDisableResponse;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthEnableResponse;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.AuthenticateResponse;
import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.CampaignResponse;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.DefragmentResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.HashRequest;
import io.etcd.jetcd.api.HashResponse;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaderResponse;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberPromoteRequest;
import io.etcd.jetcd.api.MemberPromoteResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.MemberUpdateResponse;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.ProclaimResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.ResignResponse;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.LockResponse;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.etcd.jetcd.api.lock.UnlockResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The routes of etcd's grpc-gateway (etcd 3.4's rpc.pb.gw.go, v3lock.pb.gw.go, v3election.pb.gw.go),
 * keyed by the path after {@code /v3/} (also served under {@code /v3beta/} and {@code /v3alpha/}).
 * etcd 3.5's {@code maintenance/hashkv} is added: 3.4 maps HashKV to {@code maintenance/hash} too, where
 * Hash shadows it, so 3.4 has no way to call HashKV over JSON.
 * Auth routes call the Auth service; the HTTP {@code Authorization} header carries the token, as with etcd.
 */
final class GatewayRoutes {
    private static final Map<String, GatewayRoute> ROUTES = new LinkedHashMap<>();

    static {
        unary("kv/range", "etcdserverpb.KV/Range", RangeRequest.getDefaultInstance(), RangeResponse.getDefaultInstance());
        unary("kv/put", "etcdserverpb.KV/Put", PutRequest.getDefaultInstance(), PutResponse.getDefaultInstance());
        unary("kv/deleterange", "etcdserverpb.KV/DeleteRange", DeleteRangeRequest.getDefaultInstance(),
                DeleteRangeResponse.getDefaultInstance());
        unary("kv/txn", "etcdserverpb.KV/Txn", TxnRequest.getDefaultInstance(), TxnResponse.getDefaultInstance());
        unary("kv/compaction", "etcdserverpb.KV/Compact", CompactionRequest.getDefaultInstance(),
                CompactionResponse.getDefaultInstance());
        stream("watch", "etcdserverpb.Watch/Watch", WatchRequest.getDefaultInstance(), WatchResponse.getDefaultInstance());

        unary("lease/grant", "etcdserverpb.Lease/LeaseGrant", LeaseGrantRequest.getDefaultInstance(),
                LeaseGrantResponse.getDefaultInstance());
        for (String path : new String[] {"lease/revoke", "kv/lease/revoke"}) {
            unary(path, "etcdserverpb.Lease/LeaseRevoke", LeaseRevokeRequest.getDefaultInstance(),
                    LeaseRevokeResponse.getDefaultInstance());
        }
        stream("lease/keepalive", "etcdserverpb.Lease/LeaseKeepAlive", LeaseKeepAliveRequest.getDefaultInstance(),
                LeaseKeepAliveResponse.getDefaultInstance());
        for (String path : new String[] {"lease/timetolive", "kv/lease/timetolive"}) {
            unary(path, "etcdserverpb.Lease/LeaseTimeToLive", LeaseTimeToLiveRequest.getDefaultInstance(),
                    LeaseTimeToLiveResponse.getDefaultInstance());
        }
        for (String path : new String[] {"lease/leases", "kv/lease/leases"}) {
            unary(path, "etcdserverpb.Lease/LeaseLeases", LeaseLeasesMessages.REQUEST, LeaseLeasesMessages.RESPONSE);
        }

        unary("cluster/member/add", "etcdserverpb.Cluster/MemberAdd", MemberAddRequest.getDefaultInstance(),
                MemberAddResponse.getDefaultInstance());
        unary("cluster/member/remove", "etcdserverpb.Cluster/MemberRemove", MemberRemoveRequest.getDefaultInstance(),
                MemberRemoveResponse.getDefaultInstance());
        unary("cluster/member/update", "etcdserverpb.Cluster/MemberUpdate", MemberUpdateRequest.getDefaultInstance(),
                MemberUpdateResponse.getDefaultInstance());
        unary("cluster/member/list", "etcdserverpb.Cluster/MemberList", MemberListRequest.getDefaultInstance(),
                MemberListResponse.getDefaultInstance());
        unary("cluster/member/promote", "etcdserverpb.Cluster/MemberPromote", MemberPromoteRequest.getDefaultInstance(),
                MemberPromoteResponse.getDefaultInstance());

        unary("maintenance/alarm", "etcdserverpb.Maintenance/Alarm", AlarmRequest.getDefaultInstance(),
                AlarmResponse.getDefaultInstance());
        unary("maintenance/status", "etcdserverpb.Maintenance/Status", StatusRequest.getDefaultInstance(),
                StatusResponse.getDefaultInstance());
        unary("maintenance/defragment", "etcdserverpb.Maintenance/Defragment", DefragmentRequest.getDefaultInstance(),
                DefragmentResponse.getDefaultInstance());
        unary("maintenance/hash", "etcdserverpb.Maintenance/Hash", HashRequest.getDefaultInstance(),
                HashResponse.getDefaultInstance());
        unary("maintenance/hashkv", "etcdserverpb.Maintenance/HashKV", HashKVRequest.getDefaultInstance(),
                HashKVResponse.getDefaultInstance());
        stream("maintenance/snapshot", "etcdserverpb.Maintenance/Snapshot", SnapshotRequest.getDefaultInstance(),
                SnapshotResponse.getDefaultInstance());
        unary("maintenance/transfer-leadership", "etcdserverpb.Maintenance/MoveLeader",
                MoveLeaderRequest.getDefaultInstance(), MoveLeaderResponse.getDefaultInstance());

        unary("auth/enable", "etcdserverpb.Auth/AuthEnable", AuthEnableRequest.getDefaultInstance(),
                AuthEnableResponse.getDefaultInstance());
        unary("auth/disable", "etcdserverpb.Auth/AuthDisable", AuthDisableRequest.getDefaultInstance(),
                AuthDisableResponse.getDefaultInstance());
        unary("auth/authenticate", "etcdserverpb.Auth/Authenticate", AuthenticateRequest.getDefaultInstance(),
                AuthenticateResponse.getDefaultInstance());
        unary("auth/user/add", "etcdserverpb.Auth/UserAdd", io.etcd.jetcd.api.AuthUserAddRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthUserAddResponse.getDefaultInstance());
        unary("auth/user/get", "etcdserverpb.Auth/UserGet", io.etcd.jetcd.api.AuthUserGetRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthUserGetResponse.getDefaultInstance());
        unary("auth/user/list", "etcdserverpb.Auth/UserList", io.etcd.jetcd.api.AuthUserListRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthUserListResponse.getDefaultInstance());
        unary("auth/user/delete", "etcdserverpb.Auth/UserDelete", io.etcd.jetcd.api.AuthUserDeleteRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthUserDeleteResponse.getDefaultInstance());
        unary("auth/user/changepw", "etcdserverpb.Auth/UserChangePassword", io.etcd.jetcd.api.AuthUserChangePasswordRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthUserChangePasswordResponse.getDefaultInstance());
        unary("auth/user/grant", "etcdserverpb.Auth/UserGrantRole", io.etcd.jetcd.api.AuthUserGrantRoleRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthUserGrantRoleResponse.getDefaultInstance());
        unary("auth/user/revoke", "etcdserverpb.Auth/UserRevokeRole", io.etcd.jetcd.api.AuthUserRevokeRoleRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthUserRevokeRoleResponse.getDefaultInstance());
        unary("auth/role/add", "etcdserverpb.Auth/RoleAdd", io.etcd.jetcd.api.AuthRoleAddRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthRoleAddResponse.getDefaultInstance());
        unary("auth/role/get", "etcdserverpb.Auth/RoleGet", io.etcd.jetcd.api.AuthRoleGetRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthRoleGetResponse.getDefaultInstance());
        unary("auth/role/list", "etcdserverpb.Auth/RoleList", io.etcd.jetcd.api.AuthRoleListRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthRoleListResponse.getDefaultInstance());
        unary("auth/role/delete", "etcdserverpb.Auth/RoleDelete", io.etcd.jetcd.api.AuthRoleDeleteRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthRoleDeleteResponse.getDefaultInstance());
        unary("auth/role/grant", "etcdserverpb.Auth/RoleGrantPermission", io.etcd.jetcd.api.AuthRoleGrantPermissionRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthRoleGrantPermissionResponse.getDefaultInstance());
        unary("auth/role/revoke", "etcdserverpb.Auth/RoleRevokePermission", io.etcd.jetcd.api.AuthRoleRevokePermissionRequest.getDefaultInstance(),
                io.etcd.jetcd.api.AuthRoleRevokePermissionResponse.getDefaultInstance());

        unary("lock/lock", "v3lockpb.Lock/Lock", LockRequest.getDefaultInstance(), LockResponse.getDefaultInstance());
        unary("lock/unlock", "v3lockpb.Lock/Unlock", UnlockRequest.getDefaultInstance(), UnlockResponse.getDefaultInstance());

        unary("election/campaign", "v3electionpb.Election/Campaign", CampaignRequest.getDefaultInstance(),
                CampaignResponse.getDefaultInstance());
        unary("election/proclaim", "v3electionpb.Election/Proclaim", ProclaimRequest.getDefaultInstance(),
                ProclaimResponse.getDefaultInstance());
        unary("election/leader", "v3electionpb.Election/Leader", LeaderRequest.getDefaultInstance(),
                LeaderResponse.getDefaultInstance());
        stream("election/observe", "v3electionpb.Election/Observe", LeaderRequest.getDefaultInstance(),
                LeaderResponse.getDefaultInstance());
        unary("election/resign", "v3electionpb.Election/Resign", ResignRequest.getDefaultInstance(),
                ResignResponse.getDefaultInstance());
    }

    private GatewayRoutes() {
    }

    private static void unary(String path, String method, Message request, Message response) {
        ROUTES.put(path, new GatewayRoute(method, request, response, false));
    }

    private static void stream(String path, String method, Message request, Message response) {
        ROUTES.put(path, new GatewayRoute(method, request, response, true));
    }

    /** The route for the path after the version prefix, or null. */
    static GatewayRoute find(String path) {
        return ROUTES.get(path);
    }

    static Map<String, GatewayRoute> all() {
        return ROUTES;
    }
}
