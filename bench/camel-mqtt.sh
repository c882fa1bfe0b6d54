#!/usr/bin/env bash
# camel-mqtt.sh - changes under /config/payments/ onto MQTT: Ketcd's Camel route (one fresh bin/ketcd member with
# --karaf-features ketcd-camel-mqtt and a route file in <data-dir>/deploy/) against real etcd with the usual
# external bridge (ketcd-bench mqtt-bridge: one gRPC watch stream, one Paho client, a synchronous QoS 1 publish per
# event), both to the local Mosquitto (127.0.0.1:1883), measured by a real MQTT subscriber (ketcd-bench camel-mqtt).
#
#   bench/camel-mqtt.sh [--seconds S] [--rate R] [--clients N] [--warmup S] [--drain S]
#
# Cases, per server: (1) delivery latency = put acknowledged -> message at the subscriber (p50/p99/max), 1 client at
# R puts/s (default 100) for S s (default 20) after --warmup s (default 10) unrecorded; (2) throughput = messages/s
# arriving while N puts (default 64) are in flight for S s, the puts/s acknowledged in that window, and the lag at
# the end (last put acknowledged -> last message arrived; waits at most --drain s, default 120).
# 256-byte text values, keys /config/payments/k00000000..k00000999, topics bench-<random>/<server>/m1/<key>.
# Every process it starts is killed by PID at the end, on failure and on Ctrl-C.
# Needs: etcd on the PATH, Mosquitto on 127.0.0.1:1883 (started with the system config if it does not answer),
# karaf-assembly/target/assembly, bench/target/ketcd-bench.jar.
set -uo pipefail
rate=100; seconds=20; clients=64; warmup=10; drain=120
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --drain) drain="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "camel-mqtt: unknown argument $1" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
assembly="${KETCD_ASSEMBLY:-$here/../karaf-assembly/target/assembly}"
bench="$here/ketcd-bench"
[ -f "$here/target/ketcd-bench.jar" ] || { echo "camel-mqtt: build first: mvn -B -q -o install -DskipTests" >&2; exit 1; }
[ -x "$assembly/bin/ketcd" ] || { echo "camel-mqtt: $assembly/bin/ketcd missing (build the distribution)" >&2; exit 1; }
command -v etcd >/dev/null || { echo "camel-mqtt: etcd not on the PATH" >&2; exit 1; }
work="$(mktemp -d /tmp/ketcd-camel-mqtt.XXXXXX)"
# Karaf's runtime state (bundle caches) of the members started here goes with the work dir
export KETCD_RUNTIME_DIR="$work/karaf-runtime"
run="bench-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
server_pid=""; bridge_pid=""
cleanup() {
    [ -n "$bridge_pid" ] && kill -KILL "$bridge_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    wait 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
    echo "camel-mqtt: nothing answers on 127.0.0.1:1883; starting mosquitto -d (left running)" >&2
    mosquitto -d -c /etc/mosquitto/mosquitto.conf || { echo "camel-mqtt: cannot start mosquitto" >&2; exit 1; }
    sleep 1
fi

# CPU seconds (user+system) of a process, children included once they were waited for
cpu_s() { awk '{ printf "%.2f", ($14 + $15 + $16 + $17) / 100 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

run_one() { # run_one etcd|ketcd
    local srv="$1" cp pp cmd root="$run/$1" extra=() c0 b0=0 c1 b1=0
    read -r cp pp <<< "$("$bench" free-ports 2)"
    if [ "$srv" = etcd ]; then cmd=(etcd); else cmd=("$assembly/bin/ketcd"); extra=(--karaf-features ketcd-camel-mqtt); fi
    "${cmd[@]}" --name m1 --data-dir "$work/$srv" \
        --listen-client-urls "http://127.0.0.1:$cp" --advertise-client-urls "http://127.0.0.1:$cp" \
        --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
        --initial-cluster "m1=http://127.0.0.1:$pp" "${extra[@]}" > "$work/$srv.log" 2>&1 &
    server_pid=$!
    timeout 200 "$bench" wait-ready --endpoints "127.0.0.1:$cp" --timeout 180 > /dev/null \
        || { echo "camel-mqtt: $srv did not start; log:" >&2; tail -20 "$work/$srv.log" >&2; return 1; }
    if [ "$srv" = ketcd ]; then
        mkdir -p "$work/ketcd/deploy"
        cat > "$work/route.tmp" <<ROUTE
- route:
    id: payments-to-mqtt
    from:
      uri: "ketcd:/config/payments/?prefix=true&envelope=json&charset=UTF-8"
      steps:
        - setHeader:
            name: CamelPahoMqtt5OverrideTopic
            simple: "$root/m1\${header.KetcdKey}"
        - to: "paho-mqtt5:ketcd?brokerUrl=tcp://127.0.0.1:1883&qos=1&clientId=${run}-ketcd-m1"
ROUTE
        mv "$work/route.tmp" "$work/ketcd/deploy/payments-to-mqtt.camel.yaml"
    else
        : > "$work/bridge.log"
        "$bench" mqtt-bridge --endpoints "127.0.0.1:$cp" --prefix /config/payments/ --topic-root "$root" \
            --member-name m1 > "$work/bridge.log" 2>&1 &
        bridge_pid=$!
        local i
        for i in $(seq 1 300); do grep -q '^BRIDGE READY' "$work/bridge.log" && break; sleep 0.1; done
        grep -q '^BRIDGE READY' "$work/bridge.log" \
            || { echo "camel-mqtt: the bridge did not start; log:" >&2; tail -20 "$work/bridge.log" >&2; return 1; }
    fi
    c0=$(cpu_s "$server_pid"); [ -n "$bridge_pid" ] && b0=$(cpu_s "$bridge_pid")
    local t0=$SECONDS
    timeout $((seconds * 2 + warmup + 2 * drain + 300)) "$bench" camel-mqtt --endpoints "127.0.0.1:$cp" --conns 8 \
        --topic-root "$root" --prefix /config/payments/ --val-size 256 --rate "$rate" --clients "$clients" \
        --duration "$seconds" --warmup "$warmup" --drain "$drain" --probe-timeout 180 --label "$srv" \
        > "$work/$srv.out" 2>&1
    local rc=$? wall=$((SECONDS - t0))
    c1=$(cpu_s "$server_pid"); [ -n "$bridge_pid" ] && b1=$(cpu_s "$bridge_pid")
    grep -v '^RESULT' "$work/$srv.out" | sed "s/^/[$srv] /"
    grep -E '^RESULT' "$work/$srv.out" > "$work/$srv.result"
    printf 'CPU {"server_cpu_s": %s, "bridge_cpu_s": %s, "wall_s": %s}\n' "$(echo "$c1 - $c0" | bc)" \
        "$(echo "$b1 - $b0" | bc)" "$wall" >> "$work/$srv.result"
    if [ -n "$bridge_pid" ]; then
        kill -TERM "$bridge_pid" 2>/dev/null; wait "$bridge_pid" 2>/dev/null; bridge_pid=""
    fi
    kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
    # publishes that failed and were retried: the route logs its first attempt and every 20th of one event;
    # the bridge counts Paho's "Too many publishes in progress" refusals
    local retries
    if [ "$srv" = ketcd ]; then
        retries=$(grep -c 'failed (attempt 1)' "$work/ketcd.log")
        grep -m3 'failed (attempt' "$work/ketcd.log" | sed 's/^/[ketcd log] /' | cut -c1-400
    else
        retries=$(sed -n 's/^BRIDGE STOPPED \([0-9]*\) .*/\1/p' "$work/bridge.log"); retries=${retries:-0}
        grep -v '^BRIDGE' "$work/bridge.log" | head -5 | sed 's/^/[bridge log] /'
    fi
    echo "RETRIES $retries" >> "$work/$srv.result"
    # Mosquitto drops messages to a subscriber whose queue is full (max_queued_messages, 1000 by default) and logs
    # it once: then "missing" messages were lost by the broker on the way to the measuring subscriber, and msgs/s
    # is the subscriber's ceiling, not the route's or bridge's
    local sub dropped=0
    sub=$(sed -n 's/^camel-mqtt: subscriber \([^ ]*\) .*/\1/p' "$work/$srv.out")
    if [ -n "$sub" ] && [ -r /var/log/mosquitto/mosquitto.log ] \
        && grep -q "Outgoing messages are being dropped for client $sub\." /var/log/mosquitto/mosquitto.log; then
        dropped=1
        echo "[$srv] Mosquitto logged: Outgoing messages are being dropped for client $sub (the measuring subscriber)"
    fi
    echo "DROPPED $dropped" >> "$work/$srv.result"
    [ "$rc" -eq 0 ] || { echo "camel-mqtt: $srv: ketcd-bench camel-mqtt failed (rc $rc); server log:" >&2;
                         tail -30 "$work/$srv.log" >&2; return 1; }
}

echo "camel-mqtt: run $run, $seconds s per case, latency at $rate puts/s after $warmup s warm-up, throughput with $clients in flight"
run_one ketcd && run_one etcd || exit 1
python3 - "$work/ketcd.result" "$work/etcd.result" <<'PY'
import json, sys
rows = []
for f in sys.argv[1:]:
    lines = open(f).read().splitlines()
    r = json.loads([l for l in lines if l.startswith("RESULT ")][0].split(" ", 1)[1])
    c = json.loads([l for l in lines if l.startswith("CPU ")][0].split(" ", 1)[1])
    c["retries"] = int(([l for l in lines if l.startswith("RETRIES ")] or ["RETRIES 0"])[0].split()[1] or 0)
    c["dropped"] = ([l for l in lines if l.startswith("DROPPED ")] or ["DROPPED 0"])[0].split()[1] == "1"
    rows.append((r, c))
name = {"ketcd": "Ketcd + Camel route", "etcd": "etcd 3.4 + bridge"}
def g(d, *ks):
    for k in ks:
        d = d.get(k, {}) if isinstance(d, dict) else {}
    return d if d != {} else None
print()
print("%-20s %7s %7s %7s %9s %7s %5s | %7s %7s %7s %7s %7s | %7s %7s %7s" % ("", "p50 ms", "p99 ms", "max ms",
      "p50 send", "<ack", "miss", "puts/s", "msgs/s", "lag s", "miss", "dup", "srv CPU", "brg CPU", "retries"))
for r, c in rows:
    l, t = r["latency"], r["throughput"]
    d = l["delivery"].get("latency_ms", {})
    s = l["from_send"].get("latency_ms", {})
    print("%-20s %7s %7s %7s %9s %7s %5s | %7.0f %7.0f %7s %7s %7s | %7s %7s %7s" % (name.get(r["label"], r["label"]),
          d.get("p50"), d.get("p99"), d.get("max"), s.get("p50"), l["arrived_before_ack"], l["missing"],
          t["puts_per_s"], t["messages_per_s"],
          t["lag_s"] if t["missing"] == 0 else ">%s" % t["waited_after_window_s"],
          "%s%s" % (t["missing"], "*" if c["dropped"] else ""), t.get("duplicates", 0),
          c["server_cpu_s"], c["bridge_cpu_s"] if r["label"] == "etcd" else "-", c["retries"]))
print("(latency: 1 client at %s puts/s, put acknowledged -> message at the subscriber; throughput: %s puts in flight for"
      " %s s, puts/s acknowledged and msgs/s arriving in that window; lag: last put acknowledged -> last message;"
      " p50 send: put sent -> message; <ack: messages that arrived before their put's ack (counted as 0 ms);"
      " CPU: seconds of CPU over the whole client run; retries: publishes that failed and were retried)" % (rows[0][0]["latency"]["rate"], rows[0][0]["throughput"]["clients"],
                                       rows[0][0]["throughput"]["window_s"]))
if any(c["dropped"] for _, c in rows):
    print("* Mosquitto dropped messages to the measuring subscriber (its queue was full): msgs/s is a lower bound there")
for r, c in rows:
    print("RESULT " + json.dumps({"result": r, "cpu": c}))
PY
