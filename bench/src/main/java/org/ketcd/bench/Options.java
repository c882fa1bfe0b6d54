package org.ketcd.bench;

import java.util.ArrayList;
import java.util.List;

/** Command-line options, named as etcd's {@code benchmark} tool names them where it has them. */
final class Options {
    String op;
    List<String> endpoints = List.of("127.0.0.1:2379");
    int conns = 1;
    int clients = 1;
    long total = 10_000;
    boolean totalSet;
    double durationSec;
    int keySize = 8;
    int valSize = 8;
    long keySpaceSize = 1;
    boolean sequentialKeys;
    double rate;
    boolean targetLeader;
    boolean targetFollowers;
    boolean serializable;
    double readRatio = 0.5;
    int watchers = 100;
    int streams = 10;
    long ttl = 60;
    int streamDepth = 1;
    int txnOps = 1;
    double warmupSec;
    boolean prefill;
    double timeoutSec = 10;
    String label = "";
    String broker = "tcp://127.0.0.1:1883";
    String topicRoot = "";
    String prefix = "/config/payments/";
    String memberName = "m1";
    double drainSec = 120;
    double probeTimeoutSec = 180;
    final List<String> positional = new ArrayList<>();

    static final String USAGE = """
            usage: ketcd-bench <op> [options]
              ops: put | range | txn-put | lease-grant | lease-keepalive | watch | mixed
                   jmh [JMH options]          micro-benchmarks of Ketcd internals
                   free-ports N               print N free loopback TCP ports
                   index-heap-cost N [V]      heap bytes per key version of an MVCC store (N keys, V versions)
                   wait-ready --endpoints E [--timeout S]   wait until E serves a linearizable range
                   camel-mqtt                 delivery latency and throughput of a route/bridge to MQTT
                   mqtt-bridge                watch --prefix over gRPC, publish each event to MQTT (QoS 1)
            options (etcd benchmark's names):
              --endpoints h:p,h:p   (default 127.0.0.1:2379; http:// prefixes are accepted)
              --conns N             gRPC connections (default 1)
              --clients N           requests in flight (default 1)
              --total N             requests (default 10000; unbounded when --duration is given alone)
              --duration S          time bound in seconds (stop sending after S s)
              --warmup S            run the workload S s unrecorded before measuring (client and server JIT)
              --key-size N --val-size N (default 8, 8)
              --key-space-size N    keys are chosen among N (default 1)
              --sequential-keys     key i = i mod key-space-size instead of random
              --rate R              requests/s (0 = as fast as possible; watch: puts/s, default 100)
              --target-leader       send only to the leader (found with Maintenance.Status)
              --target-followers    send only to the members that do not lead (found the same way)
              --serializable        range: serializable instead of linearizable reads
              --prefill             range/mixed: put every key of the key space first (not measured)
              --read-ratio F        mixed: fraction of reads (default 0.5)
              --txn-ops N           txn-put: puts per txn (default 1)
              --ttl S               lease-grant/keepalive: lease TTL (default 60)
              --stream-depth N      lease-keepalive: requests one stream has unanswered (default 1, as etcd's
                                    benchmark; more, as jetcd does with many leases on its one stream)
              --watchers N --streams M  watch: N watchers on M watch streams (default 100, 10)
              --timeout S           per-request deadline (default 10)
              --label TEXT          copied into the RESULT line
            camel-mqtt and mqtt-bridge:
              --broker URL          MQTT broker (default tcp://127.0.0.1:1883)
              --topic-root T        events arrive on T/<member-name><key> (required)
              --member-name N       (default m1)
              --prefix P            the keys put and watched (default /config/payments/)
              --rate R --duration S --warmup S   camel-mqtt latency case: 1 client at R puts/s (default 100)
              --clients N           camel-mqtt throughput case: N puts in flight for --duration S
              --drain S             camel-mqtt: wait at most S s for the last messages (default 120)
              --probe-timeout S     camel-mqtt: wait at most S s for the first delivered probe (default 180)
            output: a human summary, then one line `RESULT {json}`.
            """;

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                if (o.op == null) {
                    o.op = a;
                } else {
                    o.positional.add(a);
                }
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            switch (name) {
                case "sequential-keys", "target-leader", "target-followers", "serializable", "prefill" -> {
                    boolean b = value == null || Boolean.parseBoolean(value);
                    switch (name) {
                        case "sequential-keys" -> o.sequentialKeys = b;
                        case "target-leader" -> o.targetLeader = b;
                        case "target-followers" -> o.targetFollowers = b;
                        case "serializable" -> o.serializable = b;
                        default -> o.prefill = b;
                    }
                    continue;
                }
                case "help", "h" -> throw new IllegalArgumentException("");
                default -> {
                }
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("flag needs an argument: --" + name);
                }
                value = args[++i];
            }
            switch (name) {
                case "endpoints" -> {
                    List<String> eps = new ArrayList<>();
                    for (String e : value.split(",")) {
                        e = e.trim().replaceFirst("^https?://", "");
                        if (e.endsWith("/")) {
                            e = e.substring(0, e.length() - 1);
                        }
                        if (!e.isEmpty()) {
                            eps.add(e);
                        }
                    }
                    o.endpoints = eps;
                }
                case "conns" -> o.conns = Integer.parseInt(value);
                case "clients" -> o.clients = Integer.parseInt(value);
                case "total" -> {
                    o.total = Long.parseLong(value);
                    o.totalSet = true;
                }
                case "duration" -> o.durationSec = parseSeconds(value);
                case "warmup" -> o.warmupSec = parseSeconds(value);
                case "key-size" -> o.keySize = Integer.parseInt(value);
                case "val-size" -> o.valSize = Integer.parseInt(value);
                case "key-space-size" -> o.keySpaceSize = Long.parseLong(value);
                case "rate" -> o.rate = Double.parseDouble(value);
                case "read-ratio" -> o.readRatio = Double.parseDouble(value);
                case "watchers" -> o.watchers = Integer.parseInt(value);
                case "streams" -> o.streams = Integer.parseInt(value);
                case "ttl" -> o.ttl = Long.parseLong(value);
                case "stream-depth" -> o.streamDepth = Integer.parseInt(value);
                case "txn-ops" -> o.txnOps = Integer.parseInt(value);
                case "timeout" -> o.timeoutSec = parseSeconds(value);
                case "label" -> o.label = value;
                case "broker" -> o.broker = value;
                case "topic-root" -> o.topicRoot = value;
                case "prefix" -> o.prefix = value;
                case "member-name" -> o.memberName = value;
                case "drain" -> o.drainSec = parseSeconds(value);
                case "probe-timeout" -> o.probeTimeoutSec = parseSeconds(value);
                default -> throw new IllegalArgumentException("unknown flag --" + name);
            }
        }
        if (o.durationSec > 0 && !o.totalSet) {
            o.total = Long.MAX_VALUE;
        }
        if (o.conns < 1 || o.clients < 1 || o.keySpaceSize < 1 || o.keySize < 1 || o.valSize < 0 || o.streamDepth < 1
                || o.endpoints.isEmpty()) {
            throw new IllegalArgumentException(
                    "conns, clients, key-space-size, key-size, stream-depth must be >= 1; endpoints non-empty");
        }
        return o;
    }

    /** "10", "10s", "500ms", "2m". */
    static double parseSeconds(String v) {
        if (v.endsWith("ms")) {
            return Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
        }
        if (v.endsWith("s")) {
            return Double.parseDouble(v.substring(0, v.length() - 1));
        }
        if (v.endsWith("m")) {
            return Double.parseDouble(v.substring(0, v.length() - 1)) * 60;
        }
        return Double.parseDouble(v);
    }
}
