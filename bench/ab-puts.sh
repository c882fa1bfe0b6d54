#!/usr/bin/env bash
# ab-puts.sh - put throughput of two Ketcd distributions (A: another build, B: this one), one member each,
# same machine, same load, interleaved rounds: to tell whether a change made writes slower.
#
#   bench/ab-puts.sh A_ASSEMBLY [--rounds R] [--seconds S] [--warmup S]
#
# Starts one member of each distribution on free 127.0.0.1 ports (fresh temp data dirs), warms each with
# --warmup seconds of puts (unrecorded; default 40), then runs R rounds (default 4) of: put 10 conns/100
# clients and put 100 conns/1000 clients, S seconds each (default 15), A and B alternating which goes first.
# Prints each measurement and the medians. Every process it starts is killed by PID at the end (also on
# failure and Ctrl-C); the whole run is bounded by `timeout` (900 s).
set -uo pipefail
[ $# -ge 1 ] || { sed -n '2,12p' "$0"; exit 2; }
a_assembly="$1"; shift
rounds=4; seconds=15; warmup=40
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        *) echo "ab-puts: unknown option $1" >&2; exit 2 ;;
    esac
done
if [ -z "${AB_PUTS_BOUNDED:-}" ]; then
    export AB_PUTS_BOUNDED=1
    exec timeout -s TERM -k 30 900 "$0" "$a_assembly" --rounds "$rounds" --seconds "$seconds" --warmup "$warmup"
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
b_assembly="$here/../karaf-assembly/target/assembly"
bench="$here/ketcd-bench"
for a in "$a_assembly" "$b_assembly"; do
    [ -x "$a/bin/ketcd" ] || { echo "ab-puts: $a/bin/ketcd missing" >&2; exit 1; }
done
work="$(mktemp -d /tmp/ketcd-ab-puts.XXXXXX)"
export KETCD_RUNTIME_DIR="$work/runtime"
declare -A PID=() PORT=()
cleanup() {
    trap - EXIT INT TERM
    for k in "${!PID[@]}"; do kill -TERM "${PID[$k]}" 2>/dev/null; done
    for k in "${!PID[@]}"; do
        for _ in $(seq 1 200); do kill -0 "${PID[$k]}" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "${PID[$k]}" 2>/dev/null; wait "${PID[$k]}" 2>/dev/null
    done
    rm -rf "$work"/data-* "$KETCD_RUNTIME_DIR"
    echo "logs in $work" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM
read -r -a ports <<< "$("$bench" free-ports 4)"
i=0
for side in A B; do
    asm="$a_assembly"; [ $side = B ] && asm="$b_assembly"
    cp="${ports[$i]}"; pp="${ports[$((i + 1))]}"; i=$((i + 2))
    PORT[$side]="$cp"
    "$asm/bin/ketcd" --name m1 --data-dir "$work/data-$side" \
        --listen-client-urls "http://127.0.0.1:$cp" --advertise-client-urls "http://127.0.0.1:$cp" \
        --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
        --initial-cluster "m1=http://127.0.0.1:$pp" --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) \
        > "$work/member-$side.log" 2>&1 &
    PID[$side]=$!
done
for side in A B; do
    for _ in $(seq 1 120); do
        timeout 5 "$bench" range --endpoints "127.0.0.1:${PORT[$side]}" --total 1 --key-space-size 1 >/dev/null 2>&1 && break
        sleep 1
    done
    timeout $((warmup + 60)) "$bench" put --endpoints "127.0.0.1:${PORT[$side]}" --conns 100 --clients 1000 \
        --key-space-size 1000 --val-size 256 --duration "$warmup" > "$work/warmup-$side.out" 2>&1 \
        || { echo "ab-puts: member $side did not serve; see $work/member-$side.log" >&2; exit 1; }
done
: > "$work/results.txt"
for ((r = 1; r <= rounds; r++)); do
    order=(A B); [ $((r % 2)) = 0 ] && order=(B A)
    for load in "10 100" "100 1000"; do
        read -r conns clients <<< "$load"
        for side in "${order[@]}"; do
            out="$work/r$r-$side-$conns.out"
            timeout $((seconds + 60)) "$bench" put --endpoints "127.0.0.1:${PORT[$side]}" --conns "$conns" \
                --clients "$clients" --key-space-size 1000 --val-size 256 --warmup 3 --duration "$seconds" > "$out" 2>&1
            tput="$(grep '^RESULT ' "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read()[7:])["throughput"])')"
            echo "round $r put $conns/$clients $side: $tput puts/s" | tee -a "$work/results.txt"
        done
    done
done
python3 - "$work/results.txt" <<'PY'
import re, statistics, sys
vals = {}
for line in open(sys.argv[1]):
    m = re.match(r"round \d+ put (\S+) (\w): ([\d.]+)", line)
    if m: vals.setdefault((m.group(1), m.group(2)), []).append(float(m.group(3)))
for load in ("10/100", "100/1000"):
    a, b = statistics.median(vals[(load, "A")]), statistics.median(vals[(load, "B")])
    print(f"put {load}: median A {a:,.0f} puts/s, B {b:,.0f} puts/s, B/A {b / a:.2f} "
          f"(A {', '.join(f'{v:,.0f}' for v in vals[(load, 'A')])}; B {', '.join(f'{v:,.0f}' for v in vals[(load, 'B')])})")
PY
