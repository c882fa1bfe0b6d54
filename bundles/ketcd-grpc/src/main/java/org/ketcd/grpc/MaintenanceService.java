package org.ketcd.grpc;

import io.etcd.jetcd.api.AlarmMember;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.AlarmType;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.DefragmentResponse;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.HashRequest;
import io.etcd.jetcd.api.HashResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.ketcd.api.Alarm;
import org.ketcd.api.EtcdServer;

/** etcd's Maintenance service: Status, Alarm, Defragment, Hash, HashKV, Snapshot, MoveLeader. */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    private final EtcdServer member;

    MaintenanceService(EtcdServer server) {
        this.member = server;
    }

    /** The member, serving the caller of the current call. */
    private EtcdServer server() {
        return CallerToken.serverFor(member);
    }

    private io.etcd.jetcd.api.ResponseHeader header() {
        return KvMessages.header(server().header(server().currentRevision()));
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        StatusMapping.reply(observer, s -> StatusResponse.newBuilder()
                .setHeader(KvMessages.header(server().header(s.revision()))).setVersion(s.version())
                .setDbSize(s.dbSize()).setDbSizeInUse(s.dbSizeInUse()).setLeader(s.leader())
                .setRaftIndex(s.raftIndex()).setRaftTerm(s.raftTerm()).setRaftAppliedIndex(s.raftAppliedIndex())
                .addAllErrors(s.errors()).setIsLearner(s.learner()).build(), server()::status);
    }

    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> observer) {
        Alarm alarm = new Alarm(request.getMemberID(), org.ketcd.api.AlarmType.values()[request.getAlarmValue()]);
        StatusMapping.reply(observer, alarms -> {
            AlarmResponse.Builder b = AlarmResponse.newBuilder(); // etcd 3.4 sends no header here
            alarms.forEach(a -> b.addAlarms(AlarmMember.newBuilder().setMemberID(a.memberId())
                    .setAlarm(AlarmType.forNumber(a.type().ordinal()))));
            return b.build();
        }, () -> switch (request.getAction()) {
            case GET -> CompletableFuture.completedFuture(matching(server().alarms(), alarm));
            case ACTIVATE -> server().activateAlarm(alarm);
            case DEACTIVATE -> server().deactivateAlarm(alarm);
            default -> throw new IllegalArgumentException("unknown alarm action " + request.getActionValue());
        });
    }

    /** etcd's GET: every alarm when the type is NONE, else only that type. */
    private static List<Alarm> matching(List<Alarm> alarms, Alarm filter) {
        if (filter.type() == org.ketcd.api.AlarmType.NONE) {
            return alarms;
        }
        return alarms.stream().filter(a -> a.type() == filter.type()).toList();
    }

    @Override
    public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> observer) {
        StatusMapping.reply(observer, v -> DefragmentResponse.getDefaultInstance() /* no header, as etcd 3.4 */,
                server()::defragment);
    }

    @Override
    public void hash(HashRequest request, StreamObserver<HashResponse> observer) {
        StatusMapping.reply(observer, h -> HashResponse.newBuilder().setHeader(header()).setHash(h).build(),
                server()::hash);
    }

    @Override
    public void hashKV(HashKVRequest request, StreamObserver<HashKVResponse> observer) {
        StatusMapping.reply(observer, h -> HashKVResponse.newBuilder()
                        .setHeader(KvMessages.header(server().header(h.revision()))).setHash(h.hash())
                        .setCompactRevision(h.compactRevision()).build(),
                () -> server().hashKv(request.getRevision()));
    }

    @Override
    public void moveLeader(io.etcd.jetcd.api.MoveLeaderRequest request,
                           StreamObserver<io.etcd.jetcd.api.MoveLeaderResponse> observer) {
        StatusMapping.reply(observer, v -> io.etcd.jetcd.api.MoveLeaderResponse.getDefaultInstance() /* no header, as etcd 3.4 */,
                () -> server().moveLeader(request.getTargetID()));
    }

    @Override
    public void snapshot(io.etcd.jetcd.api.SnapshotRequest request, StreamObserver<io.etcd.jetcd.api.SnapshotResponse> observer) {
        SnapshotStream.send(observer, header(), server().snapshot());
    }
}
