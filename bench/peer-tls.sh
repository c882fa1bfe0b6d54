#!/usr/bin/env bash
# peer-tls.sh - what TLS between members costs writes: 3-member clusters of real etcd and of Ketcd, each once
# with http peer URLs and once with https ones (--peer-cert-file, --peer-key-file, --peer-trusted-ca-file,
# --peer-client-cert-auth; certificates made by openssl for the run), same machine, same load.
#
#   bench/peer-tls.sh [--rounds R] [--seconds S] [--warmup S]
#
# One cluster runs at a time (three member JVMs already fill the 2 cores): start it on free 127.0.0.1 ports
# with fresh temp data dirs, warm it with --warmup seconds of puts (unrecorded; default 60 for Ketcd, 10 for
# etcd), then R rounds (default 3) of put 100 conns/1000 clients for S seconds (default 15) through the
# first member. Prints each measurement, the medians and TLS/plain per server. Clients use http; only the
# peer traffic changes. Every process it starts is killed by PID (also on failure and Ctrl-C); the whole
# run is bounded by `timeout` (1500 s).
# Needs: etcd on the PATH, the Ketcd distribution (karaf-assembly/target/assembly), bench/target/ketcd-bench.jar,
# openssl, python3.
set -uo pipefail
rounds=3; seconds=15; warmup=60
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        *) echo "peer-tls: unknown option $1" >&2; exit 2 ;;
    esac
done
if [ -z "${PEER_TLS_BOUNDED:-}" ]; then
    export PEER_TLS_BOUNDED=1
    exec timeout -s TERM -k 30 1500 "$0" --rounds "$rounds" --seconds "$seconds" --warmup "$warmup"
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
assembly="$here/../karaf-assembly/target/assembly"
bench="$here/ketcd-bench"
[ -x "$assembly/bin/ketcd" ] || { echo "peer-tls: $assembly/bin/ketcd missing" >&2; exit 1; }
command -v etcd >/dev/null || { echo "peer-tls: etcd not on the PATH" >&2; exit 1; }
work="$(mktemp -d /tmp/ketcd-peer-tls.XXXXXX)"
export KETCD_RUNTIME_DIR="$work/runtime"
PIDS=()
stop_cluster() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null
    done
    PIDS=()
}
cleanup() {
    trap - EXIT INT TERM
    stop_cluster
    rm -rf "$work"/data-* "$KETCD_RUNTIME_DIR"
    echo "logs in $work" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a CA and one member certificate for 127.0.0.1, used by every member as server and client
(cd "$work" && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=bench-ca \
  && openssl req -newkey rsa:2048 -nodes -keyout peer.key -out peer.csr -subj /CN=member \
  && printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > peer.ext \
  && openssl x509 -req -in peer.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out peer.crt -days 2 -extfile peer.ext) \
  > "$work/openssl.log" 2>&1 || { echo "peer-tls: openssl failed, see $work/openssl.log" >&2; exit 1; }

: > "$work/results.txt"
for server in ketcd etcd; do
    for mode in plain tls; do
        read -r -a ports <<< "$("$bench" free-ports 6)"
        scheme=http; tls_flags=()
        if [ $mode = tls ]; then
            scheme=https
            tls_flags=(--peer-cert-file "$work/peer.crt" --peer-key-file "$work/peer.key"
                       --peer-trusted-ca-file "$work/ca.crt" --peer-client-cert-auth)
        fi
        cluster="m1=$scheme://127.0.0.1:${ports[1]},m2=$scheme://127.0.0.1:${ports[3]},m3=$scheme://127.0.0.1:${ports[5]}"
        for m in 1 2 3; do
            cp="${ports[$(((m - 1) * 2))]}"; pp="${ports[$(((m - 1) * 2 + 1))]}"
            cmd=(etcd); [ $server = ketcd ] && cmd=("$assembly/bin/ketcd")
            "${cmd[@]}" --name "m$m" --data-dir "$work/data-$server-$mode-$m" \
                --listen-client-urls "http://127.0.0.1:$cp" --advertise-client-urls "http://127.0.0.1:$cp" \
                --listen-peer-urls "$scheme://127.0.0.1:$pp" --initial-advertise-peer-urls "$scheme://127.0.0.1:$pp" \
                --initial-cluster "$cluster" --initial-cluster-token "bench-$server-$mode" \
                --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) "${tls_flags[@]}" \
                > "$work/$server-$mode-m$m.log" 2>&1 &
            PIDS+=($!)
        done
        endpoint="127.0.0.1:${ports[0]}"
        served=0
        for _ in $(seq 1 120); do
            timeout 5 "$bench" put --endpoints "$endpoint" --total 1 --key-space-size 1 >/dev/null 2>&1 && { served=1; break; }
            sleep 1
        done
        [ $served = 1 ] || { echo "peer-tls: $server ($mode) did not serve; see $work/$server-$mode-m1.log" >&2; exit 1; }
        w=$warmup; [ $server = etcd ] && w=10
        timeout $((w + 60)) "$bench" put --endpoints "$endpoint" --conns 100 --clients 1000 --key-space-size 1000 \
            --val-size 256 --duration "$w" > "$work/warmup-$server-$mode.out" 2>&1
        for ((r = 1; r <= rounds; r++)); do
            out="$work/r$r-$server-$mode.out"
            timeout $((seconds + 60)) "$bench" put --endpoints "$endpoint" --conns 100 --clients 1000 \
                --key-space-size 1000 --val-size 256 --warmup 3 --duration "$seconds" > "$out" 2>&1
            tput="$(grep '^RESULT ' "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read()[7:])["throughput"])')"
            echo "round $r $server $mode: $tput puts/s" | tee -a "$work/results.txt"
        done
        stop_cluster
    done
done
python3 - "$work/results.txt" <<'PY'
import re, statistics, sys
vals = {}
for line in open(sys.argv[1]):
    m = re.match(r"round \d+ (\w+) (\w+): ([\d.]+)", line)
    if m: vals.setdefault((m.group(1), m.group(2)), []).append(float(m.group(3)))
for server in ("ketcd", "etcd"):
    p, t = statistics.median(vals[(server, "plain")]), statistics.median(vals[(server, "tls")])
    print(f"{server}, 3 members, put 100/1000: plain {p:,.0f} puts/s, peer TLS {t:,.0f} puts/s, TLS/plain {t / p:.2f} "
          f"(plain {', '.join(f'{v:,.0f}' for v in vals[(server, 'plain')])}; "
          f"TLS {', '.join(f'{v:,.0f}' for v in vals[(server, 'tls')])})")
PY
