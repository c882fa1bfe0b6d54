#!/usr/bin/env bash
# cold-start.sh - write throughput of a member right after it starts: put 10 conns/100 clients during the first
# --seconds (default 10) after the member first serves a linearizable read, for one fresh member of real etcd and
# of Ketcd (no warm-up: what the JIT has not compiled yet counts), --rounds times each, alternating.
#
#   bench/cold-start.sh [--seconds 10] [--rounds 3]
#
# Every process it starts is killed by PID at the end, on failure and on Ctrl-C.
# Needs: etcd on the PATH, karaf-assembly/target/assembly, bench/target/ketcd-bench.jar.
set -uo pipefail
seconds=10; rounds=3
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "cold-start: unknown argument $1" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
assembly="${KETCD_ASSEMBLY:-$here/../karaf-assembly/target/assembly}"
bench="$here/ketcd-bench"
work="$(mktemp -d /tmp/ketcd-cold-start.XXXXXX)"
. "$here/single-member.sh"
trap stop_single_at_exit EXIT INT TERM

run_one() { # run_one etcd|ketcd round -> one line: srv round puts/s p50 p99
    local srv="$1" round="$2"
    rm -rf "${work:?}/$srv"
    start_single "$srv" cold-start || return 1
    timeout $((seconds + 60)) "$bench" put --endpoints "127.0.0.1:$client_port" --conns 10 --clients 100 \
        --duration "$seconds" --key-space-size 1000 --val-size 256 | grep -E '^RESULT' | sed "s/^RESULT /$srv $round /"
    stop_single
}

for ((r = 1; r <= rounds; r++)); do
    run_one etcd "$r" && run_one ketcd "$r" || exit 1
done > "$work/results"
python3 - "$work/results" "$seconds" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    srv, rnd, js = line.split(" ", 2)
    rows.setdefault(srv, []).append(json.loads(js)["throughput"])
med = {s: statistics.median(v) for s, v in rows.items()}
print("put 10 conns/100 clients in the first %s s after the member serves: puts/s per round" % sys.argv[2])
for s, v in rows.items():
    print("  %-6s %s  median %.0f" % (s, " ".join("%.0f" % x for x in v), med[s]))
print("Ketcd/etcd (medians): %.2f" % (med["ketcd"] / med["etcd"]))
PY
