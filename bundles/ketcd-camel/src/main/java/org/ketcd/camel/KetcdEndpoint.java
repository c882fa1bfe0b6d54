package org.ketcd.camel;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.ketcd.api.Bytes;
import org.ketcd.api.EtcdServer;

/**
 * One key or prefix of the member's keyspace, with the consumer and producer options below. Options
 * are checked when the endpoint is created, so a route with a bad option does not start and says why.
 */
public class KetcdEndpoint extends DefaultEndpoint {
    /** Longest wait for the member to answer one producer request or one checkpoint write. */
    static final long REQUEST_TIMEOUT_MS = 30_000;
    /**
     * Default of {@code maxInFlight}: below Mosquitto's default Receive Maximum of 20 (Paho refuses a QoS 1 publish
     * beyond the broker's limit), and as fast as 8 or 20 on loopback: draining 8,000 events to Mosquitto, 8-20 in
     * flight went 5,300-8,000/s, one at a time 2,600-3,100/s, 32 in flight 1,347/s with 113 refusals
     * (bench/RESULTS.md, "Camel route to MQTT, pipelined"). At most this many events are resent after a failure.
     */
    static final int DEFAULT_MAX_IN_FLIGHT = 16;
    /** Upper bound of {@code maxInFlight}: MQTT's largest Receive Maximum; the window holds its events' values in memory. */
    static final int MAX_IN_FLIGHT_LIMIT = 65_535;

    private final String path;
    private boolean prefix;
    private long fromRevision;
    private boolean prevKv;
    private String filter = "put,delete";
    private boolean checkpoint = true;
    private String checkpointId;
    private long checkpointIntervalMs = 1000;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private String charset;
    private String envelope = "none";
    private String action = "put";
    private String user;
    private String password;

    KetcdEndpoint(String uri, KetcdComponent component, String path) {
        super(uri, component);
        this.path = path;
    }

    void validate() {
        filterNames(); // refuses anything but put and delete (an empty filter too)
        if (fromRevision < 0) {
            throw new IllegalArgumentException("ketcd: fromRevision must be >= 0, was " + fromRevision);
        }
        if (checkpointIntervalMs < 0) {
            throw new IllegalArgumentException("ketcd: checkpointIntervalMs must be >= 0, was " + checkpointIntervalMs);
        }
        if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException("ketcd: maxInFlight must be 1.." + MAX_IN_FLIGHT_LIMIT + ", was " + maxInFlight);
        }
        if (!envelope.equals("none") && !envelope.equals("json")) {
            throw new IllegalArgumentException("ketcd: envelope must be none or json, was: " + envelope);
        }
        if (charset != null) {
            Charset.forName(charset);
        }
        KetcdProducer.Action.parse(action);
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("ketcd: user and password go together");
        }
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        KetcdConsumer consumer = new KetcdConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        return new KetcdProducer(this);
    }

    /**
     * The member as this endpoint's user (its password checked here, once per consumer or producer), or
     * without a user: with etcd's auth enabled every read and write, the checkpoint's included, needs the
     * user's permission.
     */
    EtcdServer server() {
        EtcdServer member = ((KetcdComponent) getComponent()).server();
        return user == null ? member : member.withPassword(user, password);
    }

    public String getUser() {
        return user;
    }

    /** The etcd user the endpoint reads and writes as (with {@code password}), once auth is enabled. */
    public void setUser(String user) {
        this.user = user;
    }

    public String getPassword() {
        return password;
    }

    /** The user's password; use a property placeholder ({{...}}) rather than the route file's text. */
    public void setPassword(String password) {
        this.password = password;
    }

    byte[] key() {
        return path.getBytes(StandardCharsets.UTF_8);
    }

    /** The watched or read range end: the prefix end with {@code prefix=true}, else the single key. */
    byte[] rangeEnd() {
        return prefix ? Bytes.prefixEnd(key()) : Bytes.EMPTY;
    }

    Charset textCharset() {
        return charset == null ? StandardCharsets.UTF_8 : Charset.forName(charset);
    }

    boolean bodyAsText() {
        return charset != null;
    }

    boolean deliverPuts() {
        return filterNames().contains("put");
    }

    boolean deliverDeletes() {
        return filterNames().contains("delete");
    }

    private java.util.Set<String> filterNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String part : filter.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (!name.equals("put") && !name.equals("delete")) {
                throw new IllegalArgumentException("ketcd: filter takes put and/or delete, not: " + part);
            }
            names.add(name);
        }
        return names;
    }

    public String getPath() {
        return path;
    }

    public boolean isPrefix() {
        return prefix;
    }

    /** Watch (or read, delete) every key that starts with the path, not only the path itself. */
    public void setPrefix(boolean prefix) {
        this.prefix = prefix;
    }

    public long getFromRevision() {
        return fromRevision;
    }

    /** Consumer: the revision to start from when the route has no checkpoint yet (0 = changes from now on). */
    public void setFromRevision(long fromRevision) {
        this.fromRevision = fromRevision;
    }

    public boolean isPrevKv() {
        return prevKv;
    }

    /** Consumer: add the value before each change as header {@link KetcdConstants#PREV_VALUE}. */
    public void setPrevKv(boolean prevKv) {
        this.prevKv = prevKv;
    }

    public String getFilter() {
        return filter;
    }

    /** Consumer: which events to deliver: {@code put}, {@code delete} or {@code put,delete} (default). */
    public void setFilter(String filter) {
        this.filter = filter;
    }

    public boolean isCheckpoint() {
        return checkpoint;
    }

    /** Consumer: store the last delivered revision in Ketcd and resume from it (default true). */
    public void setCheckpoint(boolean checkpoint) {
        this.checkpoint = checkpoint;
    }

    public String getCheckpointId() {
        return checkpointId;
    }

    /** Consumer: the name the checkpoint is stored under (default: the route id). */
    public void setCheckpointId(String checkpointId) {
        this.checkpointId = checkpointId;
    }

    public long getCheckpointIntervalMs() {
        return checkpointIntervalMs;
    }

    /**
     * Consumer: at most one checkpoint write per interval while events flow (default 1000 ms; the last
     * delivered revision is always written when the consumer stops). A crash redelivers at most the
     * events of one interval.
     */
    public void setCheckpointIntervalMs(long checkpointIntervalMs) {
        this.checkpointIntervalMs = checkpointIntervalMs;
    }

    public int getMaxInFlight() {
        return maxInFlight;
    }

    /**
     * Consumer: how many exchanges may be handed to the route before the first of them completed (default
     * {@value #DEFAULT_MAX_IN_FLIGHT}; 1 = one at a time). Keep it at or below the broker's in-flight limit (MQTT
     * Receive Maximum). A failed exchange is resent with every event after it, so a subscriber may see an event
     * again after later ones.
     */
    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    public String getCharset() {
        return charset;
    }

    /** Consumer: body (and previous value) as a String in this charset instead of bytes; producer: how to encode a String body. */
    public void setCharset(String charset) {
        this.charset = charset;
    }

    public String getEnvelope() {
        return envelope;
    }

    /**
     * Consumer: {@code none} (default: the body is the value) or {@code json}: the body is one JSON object
     * with the key, event type, revisions, version, lease and value, for brokers or subscribers that
     * carry no headers (MQTT 3, plain NATS).
     */
    public void setEnvelope(String envelope) {
        this.envelope = envelope;
    }

    public String getAction() {
        return action;
    }

    /** Producer: the action when the message has no {@link KetcdConstants#ACTION} header (default put). */
    public void setAction(String action) {
        this.action = action;
    }
}
