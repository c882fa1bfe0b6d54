#!/usr/bin/env bash
# watch-latency.sh - watch event latency (put acknowledged -> event received, p50/p99) of real etcd
# and Ketcd, one fresh single member each, same machine, same load (ketcd-bench's `watch` op).
#
#   bench/watch-latency.sh [--watchers N] [--streams M] [--rate R] [--seconds S] [--warmup S]
#
# Defaults: 100 watchers on 10 streams, 100 puts/s for 20 s after 10 s of unrecorded warm-up.
# Every process it starts is killed by PID at the end, on failure and on Ctrl-C.
# Needs: etcd on the PATH, karaf-assembly/target/assembly, bench/target/ketcd-bench.jar.
set -uo pipefail
watchers=100; streams=10; rate=100; seconds=20; warmup=10
while [ $# -gt 0 ]; do
    case "$1" in
        --watchers) watchers="$2"; shift 2 ;;
        --streams) streams="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "watch-latency: unknown argument $1" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
assembly="${KETCD_ASSEMBLY:-$here/../karaf-assembly/target/assembly}"
bench="$here/ketcd-bench"
work="$(mktemp -d /tmp/ketcd-watch-latency.XXXXXX)"
. "$here/single-member.sh"
trap stop_single_at_exit EXIT INT TERM

run_one() { # run_one etcd|ketcd
    local srv="$1"
    start_single "$srv" watch-latency || return 1
    timeout $((seconds + warmup + 120)) "$bench" watch --endpoints "127.0.0.1:$client_port" --conns "$streams" \
        --watchers "$watchers" --streams "$streams" --rate "$rate" --duration "$seconds" --warmup "$warmup" \
        --label "$srv" | grep -E '^RESULT' > "$work/$srv.result"
    stop_single
}

run_one etcd && run_one ketcd || exit 1
python3 - "$work/etcd.result" "$work/ketcd.result" <<'PY'
import json, sys
print("%-6s %9s %9s %9s %9s %10s %12s %12s %7s" % ("server", "events", "expected", "p50 ms", "p99 ms", "before-ack",
                                                 "p50 (send)", "p99 (send)", "errors"))
for f in sys.argv[1:]:
    r = json.loads(open(f).read().split("RESULT ", 1)[1])
    s, w = r["stats"], r.get("watch", {})
    lat = s.get("latency_ms", {})
    sent = w.get("from_send", {}).get("latency_ms", {})
    print("%-6s %9s %9s %9s %9s %10s %12s %12s %7s" % (r.get("label"), w.get("events_matched"), w.get("events_expected"),
                                                     lat.get("p50"), lat.get("p99"), w.get("events_before_ack"),
                                                     sent.get("p50"), sent.get("p99"), s.get("errors")))
print("(p50/p99: put acknowledged -> event received, an event arriving before its put's ack counts as 0 ms;")
print(" (send): put sent -> event received)")
PY
