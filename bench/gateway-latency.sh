#!/usr/bin/env bash
# gateway-latency.sh - latency of the JSON gateway (/v3/kv/put, range, txn, lease grant, and a /v3/watch
# event after a gateway put) of real etcd and Ketcd, one fresh single member each, same machine, same
# client (bench/gateway-latency.py, one call at a time over a keep-alive connection, as Patroni calls it).
#
#   bench/gateway-latency.sh [--calls N] [--warmup N] [--events N] [--server-warmup S]
#
# Defaults: 2000 recorded calls of each kind after 2000 unrecorded ones, 1000 watch events; before that
# each server takes --server-warmup seconds (default 60) of gRPC puts, so the JIT has compiled the write
# path both share. Every process it starts is killed by PID at the end, on failure and on Ctrl-C.
# Needs: etcd and python3 on the PATH, karaf-assembly/target/assembly, bench/target/ketcd-bench.jar.
set -uo pipefail
calls=2000; warmup=2000; events=1000; server_warmup=60
while [ $# -gt 0 ]; do
    case "$1" in
        --calls) calls="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --events) events="$2"; shift 2 ;;
        --server-warmup) server_warmup="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "gateway-latency: unknown argument $1" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
assembly="${KETCD_ASSEMBLY:-$here/../karaf-assembly/target/assembly}"
bench="$here/ketcd-bench"
work="$(mktemp -d /tmp/ketcd-gateway-latency.XXXXXX)"
. "$here/single-member.sh"
trap stop_single_at_exit EXIT INT TERM

run_one() { # run_one etcd|ketcd
    local srv="$1"
    start_single "$srv" gateway-latency || return 1
    timeout $((server_warmup + 60)) "$bench" put --endpoints "127.0.0.1:$client_port" --conns 10 --clients 100 \
        --duration "$server_warmup" --key-space-size 1000 > /dev/null
    timeout 900 python3 "$here/gateway-latency.py" "$client_port" --calls "$calls" --warmup "$warmup" --events "$events" \
        --label "$srv" | tee /dev/stderr | grep -E '^RESULT' > "$work/$srv.result"
    stop_single
}

run_one etcd && run_one ketcd || exit 1
python3 - "$work/etcd.result" "$work/ketcd.result" <<'PY'
import json, sys
etcd, ketcd = (json.loads(open(f).read().split("RESULT ", 1)[1])["cases"] for f in sys.argv[1:])
print("| call | etcd p50 ms | Ketcd p50 ms | Ketcd/etcd p50 | etcd p99 ms | Ketcd p99 ms | Ketcd/etcd p99 |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in etcd:
    e, k = etcd[name], ketcd[name]
    ratio = lambda a, b: "%.2f" % (b / a) if a else "-"
    print("| %s | %s | %s | %s | %s | %s | %s |" % (name, e["p50"], k["p50"], ratio(e["p50"], k["p50"]),
                                                  e["p99"], k["p99"], ratio(e["p99"], k["p99"])))
print("(unary: request sent -> response read, one call at a time on one keep-alive connection;")
print(" watch: gateway put acknowledged -> its event read from a /v3/watch stream, 0 when it came first)")
PY
