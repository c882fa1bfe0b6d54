#!/usr/bin/env bash
# start-up.sh - how long one member takes to serve, and how much memory it holds then, for real etcd and Ketcd:
#   fresh    a new data dir (for Ketcd also a new Karaf runtime dir: bundle cache unpacked, features resolved)
#   restart  the same member started again (its data dir and, for Ketcd, its Karaf runtime dir kept)
#   first    Ketcd only, once before the rounds: a fresh member of a distribution without a class-data archive for
#            this JVM (bin/ketcd 6e), which writes the archive as it stops; fresh and restart then map it
# Time: from the launch of the process to its first answered linearizable range. Memory: resident set (VmRSS)
# 3 s after it serves, empty store. --rounds times each, alternating etcd and Ketcd.
#
#   bench/start-up.sh [--rounds 3]
#
# Every process it starts is killed by PID at the end, on failure and on Ctrl-C.
# Needs: etcd on the PATH, karaf-assembly/target/assembly, bench/target/ketcd-bench.jar.
set -uo pipefail
rounds=3
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "start-up: unknown argument $1" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
assembly="${KETCD_ASSEMBLY:-$here/../karaf-assembly/target/assembly}"
bench="$here/ketcd-bench"
work="$(mktemp -d /tmp/ketcd-start-up.XXXXXX)"
. "$here/single-member.sh"
# the class-data archive of the members started here goes with the work dir too
export KETCD_CDS_DIR="$work/cds"
trap stop_single_at_exit EXIT INT TERM

measure() { # measure etcd|ketcd fresh|restart round -> one line: srv kind round ms rss_kib
    local srv="$1" kind="$2" round="$3" start ms rss
    if [ "$kind" = fresh ] || [ "$kind" = first ]; then
        rm -rf "${work:?}/$srv" "$KETCD_RUNTIME_DIR"
    fi
    start=$(date +%s%N)
    start_single "$srv" start-up $([ "$kind" = restart ] && echo same-ports) || return 1
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    sleep 3
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
    echo "$srv $kind $round $ms $rss"
    stop_single
}

{
measure ketcd first 0 || exit 1
for ((r = 1; r <= rounds; r++)); do
    for srv in etcd ketcd; do
        measure "$srv" fresh "$r" && measure "$srv" restart "$r" || exit 1
    done
done
} > "$work/results"
python3 - "$work/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    srv, kind, rnd, ms, rss = line.split()
    rows.setdefault((srv, kind), []).append((int(ms), int(rss)))
print("start to first linearizable read (ms) and resident memory 3 s later (MiB), per round; medians")
for (srv, kind), v in rows.items():
    ms = [m for m, _ in v]; rss = [r / 1024 for _, r in v]
    print("  %-6s %-8s %-24s median %6d ms   %s MiB  median %.0f MiB" % (srv, kind, " ".join(map(str, ms)),
          statistics.median(ms), " ".join("%.0f" % r for r in rss), statistics.median(rss)))
PY
