package org.ketcd.api;

/**
 * The server errors clients see, with etcd's gRPC status code and exact message
 * (etcd {@code api/v3rpc/rpctypes/error.go}); clients such as etcdctl and jetcd match on these strings.
 */
public enum EtcdError {
    EMPTY_KEY(StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided"),
    KEY_NOT_FOUND(StatusCode.INVALID_ARGUMENT, "etcdserver: key not found"),
    VALUE_PROVIDED(StatusCode.INVALID_ARGUMENT, "etcdserver: value is provided"),
    LEASE_PROVIDED(StatusCode.INVALID_ARGUMENT, "etcdserver: lease is provided"),
    TOO_MANY_OPS(StatusCode.INVALID_ARGUMENT, "etcdserver: too many operations in txn request"),
    DUPLICATE_KEY(StatusCode.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"),
    COMPACTED(StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
    FUTURE_REV(StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
    NO_SPACE(StatusCode.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),
    /**
     * grpc-go's refusal of an answer above the server's send limit, which etcd sends for a range too large;
     * the store refuses such a range before building it, with the sizes appended (see {@code RangeBudget}).
     */
    RESPONSE_TOO_LARGE(StatusCode.RESOURCE_EXHAUSTED, "grpc: trying to send message larger than max"),
    LEASE_NOT_FOUND(StatusCode.NOT_FOUND, "etcdserver: requested lease not found"),
    LEASE_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: lease already exists"),
    LEASE_TTL_TOO_LARGE(StatusCode.OUT_OF_RANGE, "etcdserver: too large lease TTL"),
    REQUEST_TOO_LARGE(StatusCode.INVALID_ARGUMENT, "etcdserver: request is too large"),
    TOO_MANY_REQUESTS(StatusCode.RESOURCE_EXHAUSTED, "etcdserver: too many requests"),
    MEMBER_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: member ID already exist"),
    PEER_URL_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: Peer URLs already exists"),
    MEMBER_NOT_ENOUGH_STARTED(StatusCode.FAILED_PRECONDITION,
            "etcdserver: re-configuration failed due to not enough started members"),
    MEMBER_BAD_URLS(StatusCode.INVALID_ARGUMENT, "etcdserver: given member URLs are invalid"),
    MEMBER_NOT_FOUND(StatusCode.NOT_FOUND, "etcdserver: member not found"),
    MEMBER_NOT_LEARNER(StatusCode.FAILED_PRECONDITION, "etcdserver: can only promote a learner member"),
    LEARNER_NOT_READY(StatusCode.FAILED_PRECONDITION,
            "etcdserver: can only promote a learner member which is in sync with leader"),
    TOO_MANY_LEARNERS(StatusCode.FAILED_PRECONDITION, "etcdserver: too many learner members in cluster"),
    BAD_LEADER_TRANSFEREE(StatusCode.FAILED_PRECONDITION, "etcdserver: bad leader transferee"),
    /** etcd has no gRPC mapping for it, so its clients see status UNKNOWN with this text. */
    LEADER_TRANSFER_TIMEOUT(StatusCode.UNKNOWN, "etcdserver: request timed out, leader transfer took too long"),
    NOT_SUPPORTED_FOR_LEARNER(StatusCode.UNAVAILABLE, "etcdserver: rpc not supported for learner"),
    NO_LEADER(StatusCode.UNAVAILABLE, "etcdserver: no leader"),
    NOT_LEADER(StatusCode.FAILED_PRECONDITION, "etcdserver: not leader"),
    STOPPED(StatusCode.UNAVAILABLE, "etcdserver: server stopped"),
    TIMEOUT(StatusCode.UNAVAILABLE, "etcdserver: request timed out"),
    CORRUPT(StatusCode.DATA_LOSS, "etcdserver: corrupt cluster"),
    ROOT_USER_NOT_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: root user does not exist"),
    ROOT_ROLE_NOT_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: root user does not have root role"),
    USER_ALREADY_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: user name already exists"),
    USER_EMPTY(StatusCode.INVALID_ARGUMENT, "etcdserver: user name is empty"),
    USER_NOT_FOUND(StatusCode.FAILED_PRECONDITION, "etcdserver: user name not found"),
    ROLE_ALREADY_EXIST(StatusCode.FAILED_PRECONDITION, "etcdserver: role name already exists"),
    ROLE_NOT_FOUND(StatusCode.FAILED_PRECONDITION, "etcdserver: role name not found"),
    ROLE_EMPTY(StatusCode.INVALID_ARGUMENT, "etcdserver: role name is empty"),
    AUTH_FAILED(StatusCode.INVALID_ARGUMENT, "etcdserver: authentication failed, invalid user ID or password"),
    PERMISSION_DENIED(StatusCode.PERMISSION_DENIED, "etcdserver: permission denied"),
    ROLE_NOT_GRANTED(StatusCode.FAILED_PRECONDITION, "etcdserver: role is not granted to the user"),
    PERMISSION_NOT_GRANTED(StatusCode.FAILED_PRECONDITION, "etcdserver: permission is not granted to the role"),
    AUTH_NOT_ENABLED(StatusCode.FAILED_PRECONDITION, "etcdserver: authentication is not enabled"),
    INVALID_AUTH_TOKEN(StatusCode.UNAUTHENTICATED, "etcdserver: invalid auth token"),
    INVALID_AUTH_MGMT(StatusCode.INVALID_ARGUMENT, "etcdserver: invalid auth management"),
    AUTH_OLD_REVISION(StatusCode.INVALID_ARGUMENT, "etcdserver: revision of auth store is old"),
    /**
     * etcd's maintenance service (Defragment, Snapshot, Hash, HashKV) passes its auth store's own error on
     * unmapped: status UNKNOWN with the store's text, e.g. "auth: permission denied" (see {@link #unmappedAuth}).
     */
    AUTH_UNMAPPED(StatusCode.UNKNOWN, "auth: permission denied"),
    /** Go's bcrypt refuses a password above 72 bytes; etcd passes its error on (status UNKNOWN). */
    PASSWORD_TOO_LONG(StatusCode.UNKNOWN, "bcrypt: password length exceeds 72 bytes"),
    /** v3election: Proclaim by a campaigner that does not lead (etcd sends its client library's error, status UNKNOWN). */
    ELECTION_NOT_LEADER(StatusCode.UNKNOWN, "election: not leader"),
    /** v3election: Proclaim or Resign without the leader key (a plain error in etcd, so status UNKNOWN). */
    ELECTION_MISSING_LEADER_KEY(StatusCode.UNKNOWN, "\"leader\" field must be provided"),
    /** v3election: Leader of an election nobody leads. */
    ELECTION_NO_LEADER(StatusCode.UNKNOWN, "election: no leader"),
    /** Not an etcd error: an unexpected server fault, reported without internals. */
    INTERNAL(StatusCode.INTERNAL, "etcdserver: internal error");

    /** gRPC status codes used above, mirrored so this bundle depends on nothing. */
    public enum StatusCode { INVALID_ARGUMENT, OUT_OF_RANGE, RESOURCE_EXHAUSTED, NOT_FOUND, UNAVAILABLE,
        FAILED_PRECONDITION, DATA_LOSS, INTERNAL, UNKNOWN, PERMISSION_DENIED, UNAUTHENTICATED }

    private final StatusCode code;
    private final String message;

    EtcdError(StatusCode code, String message) {
        this.code = code;
        this.message = message;
    }

    public StatusCode code() {
        return code;
    }

    public String message() {
        return message;
    }

    public EtcdException exception() {
        return new EtcdException(this);
    }

    /** An auth refusal as etcd's auth store words it before its gRPC layer maps it (see {@link #AUTH_UNMAPPED}). */
    public static EtcdException unmappedAuth(EtcdException e) {
        String text = switch (e.error()) {
            case USER_EMPTY -> "auth: user name is empty";
            case USER_NOT_FOUND -> "auth: user not found";
            case INVALID_AUTH_TOKEN -> "auth: invalid auth token";
            case AUTH_OLD_REVISION -> "auth: revision in header is old";
            case PERMISSION_DENIED -> "auth: permission denied";
            default -> null;
        };
        return text == null ? e : new EtcdException(AUTH_UNMAPPED, text);
    }
}
