#!/usr/bin/env bash
# side-by-side.sh - real etcd and Ketcd, same flags, same machine, same load, one run.
#
#   bench/side-by-side.sh [--members N] [--repeats R] [--keys K] [--server-warmup S]
#                         [--case-seconds S] [--case-warmup S] [--time-limit S] [--results FILE] [--no-results]
#                         [--keys-only] [--key-size B] [--val-size B] [--ketcd-java-opts OPTS]
#                         [--key-space N] [--cases ID,ID,...] [--ketcd-flags "FLAGS"] [--on-followers]
#
# --key-space N: the load cases read and write N distinct keys (default 1,000), all written before the
# first case; --cases: only these case ids (default all; see `cases` below); --ketcd-flags: extra flags
# for Ketcd's members only (e.g. a small --experimental-value-cache-bytes, to read a data set larger than
# the value cache); --on-followers: every load case sends only to the members that do not lead (with
# --members 3 or more; a write through a follower is forwarded to the leader and answered once that
# follower applied it, on both servers).
#
# Starts real etcd (N members) and Ketcd (N members, bootstrapped with the same --initial-cluster) on
# free 127.0.0.1 ports with fresh temp data dirs, warms each server up
# with an unrecorded load (default 80 s per member: one JVM needs 20-40 s of load to JIT, and N member
# JVMs compile N times as much on the same 2 cores; 3 fresh members were still compiling after 120 s,
# with one-client put p50 11-14 ms after 90 s of warm-up and 3.5-3.8 ms after 240 s, bench/RESULTS.md), runs every case against one server
# after the other with interleaved repeats (etcd first in odd repeats, Ketcd first in even ones), then
# measures, on fresh members, the resident memory with K keys loaded and the restart-to-serving time
# (--keys-only: only that part, no load cases; its section in RESULTS.md then has only the memory table).
# Prints a table of medians and the ratio Ketcd/etcd, and writes bench/RESULTS.md (newest run first).
# Every process it starts is killed by PID at the end, on failure and on Ctrl-C; every run is bounded
# (`timeout`), and so is the whole script (--time-limit, default 2400 s).
#
# Needs: etcd on the PATH, the Ketcd distribution (karaf-assembly/target/assembly, or $KETCD_ASSEMBLY with
# $KETCD_COMMIT naming the commit it was built from),
# bench/target/ketcd-bench.jar (mvn -B -q -o install -DskipTests at the root), python3.
set -uo pipefail

members=1; repeats=3; keys=100000; server_warmup=; case_seconds=6; case_warmup=4
time_limit=2400; results_write=1; keys_only=0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/.." && pwd -P)"
results="$here/RESULTS.md"
assembly="${KETCD_ASSEMBLY:-$root/karaf-assembly/target/assembly}"
quota=$((8 * 1024 * 1024 * 1024))
val_size=256; key_size=8
# KETCD_JAVA_OPTS for Ketcd's members (e.g. -Xmx384m); empty: bin/ketcd's own heap policy
ketcd_java_opts=""
key_space=1000; only_cases=""; ketcd_flags=""; on_followers=0

while [ $# -gt 0 ]; do
    case "$1" in
        --members) members="$2"; shift 2 ;;
        --repeats) repeats="$2"; shift 2 ;;
        --keys) keys="$2"; shift 2 ;;
        --server-warmup) server_warmup="$2"; shift 2 ;;
        --case-seconds) case_seconds="$2"; shift 2 ;;
        --case-warmup) case_warmup="$2"; shift 2 ;;
        --time-limit) time_limit="$2"; shift 2 ;;
        --results) results="$2"; shift 2 ;;
        --no-results) results_write=0; shift ;;
        --keys-only) keys_only=1; shift ;;
        --key-size) key_size="$2"; shift 2 ;;
        --val-size) val_size="$2"; shift 2 ;;
        --ketcd-java-opts) ketcd_java_opts="$2"; shift 2 ;;
        --key-space) key_space="$2"; shift 2 ;;
        --cases) only_cases="$2"; shift 2 ;;
        --ketcd-flags) ketcd_flags="$2"; shift 2 ;;
        --on-followers) on_followers=1; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "side-by-side: unknown argument $1" >&2; exit 2 ;;
    esac
done

[ -n "$server_warmup" ] || server_warmup=$(( 80 * members ))

# the whole run is bounded: re-exec under timeout(1) (SIGTERM -> the trap below cleans up)
if [ -z "${SIDE_BY_SIDE_BOUNDED:-}" ]; then
    export SIDE_BY_SIDE_BOUNDED=1
    exec timeout -s TERM -k 60 "$time_limit" "$0" "$@" --members "$members" --repeats "$repeats" --keys "$keys" \
        --server-warmup "$server_warmup" --case-seconds "$case_seconds" --case-warmup "$case_warmup" \
        --time-limit "$time_limit" --results "$results" $([ $results_write = 0 ] && echo --no-results) \
        $([ $keys_only = 1 ] && echo --keys-only) --key-size "$key_size" --val-size "$val_size" \
        ${ketcd_java_opts:+--ketcd-java-opts "$ketcd_java_opts"} --key-space "$key_space" \
        ${only_cases:+--cases "$only_cases"} ${ketcd_flags:+--ketcd-flags "$ketcd_flags"} \
        $([ $on_followers = 1 ] && echo --on-followers)
fi

bench="$here/ketcd-bench"
[ -f "$here/target/ketcd-bench.jar" ] || { echo "side-by-side: build first: mvn -B -q -o install -DskipTests" >&2; exit 1; }
[ -x "$assembly/bin/ketcd" ] || { echo "side-by-side: $assembly/bin/ketcd missing (build the distribution)" >&2; exit 1; }
command -v etcd >/dev/null || { echo "side-by-side: etcd not on the PATH" >&2; exit 1; }
command -v python3 >/dev/null || { echo "side-by-side: python3 needed for the table" >&2; exit 1; }

work="$(mktemp -d /tmp/ketcd-side-by-side.XXXXXX)"
# Karaf's runtime state (bundle caches) of the members started here goes with the work dir
export KETCD_RUNTIME_DIR="$work/karaf-runtime"
jsonl="$work/results.jsonl"; : > "$jsonl"
declare -A PID_OF=()      # "server member" -> pid
client_pid=""
clk_tck="$(getconf CLK_TCK)"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_pid() {  # stop_pid PID [grace seconds]: SIGTERM, wait, SIGKILL
    local pid="$1" grace="${2:-20}" i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    trap - EXIT INT TERM
    [ -n "$client_pid" ] && stop_pid "$client_pid" 2
    for k in "${!PID_OF[@]}"; do stop_pid "${PID_OF[$k]}" 20; done
    rm -rf "$work"/data-* "$KETCD_RUNTIME_DIR" 2>/dev/null
    log "logs and raw results kept in $work"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ports: per server and member a client and a peer port
read -r -a ports <<< "$("$bench" free-ports $((4 * members)))"
port() { # port etcd|ketcd member client|peer
    local s=0; [ "$1" = ketcd ] && s=1
    local p=0; [ "$3" = peer ] && p=1
    echo "${ports[$(( (s * members + $2 - 1) * 2 + p ))]}"
}
cluster_of() {
    local srv="$1" m out=""
    for ((m = 1; m <= members; m++)); do out+="${out:+,}m$m=http://127.0.0.1:$(port "$srv" $m peer)"; done
    echo "$out"
}
endpoints_of() {
    local srv="$1" m out=""
    for ((m = 1; m <= members; m++)); do out+="${out:+,}127.0.0.1:$(port "$srv" $m client)"; done
    echo "$out"
}

start_member() { # start_member etcd|ketcd member datadir
    local srv="$1" m="$2" dir="$3" cp pp cmd
    cp="$(port "$srv" "$m" client)"; pp="$(port "$srv" "$m" peer)"
    if [ "$srv" = etcd ]; then cmd=(etcd); else cmd=("$assembly/bin/ketcd"); fi
    if [ "$srv" = ketcd ] && [ -n "$ketcd_java_opts" ]; then cmd=(env "KETCD_JAVA_OPTS=$ketcd_java_opts" "${cmd[@]}"); fi
    # shellcheck disable=SC2206
    if [ "$srv" = ketcd ] && [ -n "$ketcd_flags" ]; then cmd+=($ketcd_flags); fi
    mkdir -p "$dir"
    "${cmd[@]}" --name "m$m" --data-dir "$dir" \
        --listen-client-urls "http://127.0.0.1:$cp" --advertise-client-urls "http://127.0.0.1:$cp" \
        --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
        --initial-cluster "$(cluster_of "$srv")" --initial-cluster-token "bench-$srv" \
        --quota-backend-bytes "$quota" >> "$work/$srv-m$m.log" 2>&1 &
    PID_OF["$srv $m"]=$!
}

start_server() { # start_server etcd|ketcd tag -> all members, waits until each serves
    local srv="$1" tag="$2" m
    for ((m = 1; m <= members; m++)); do start_member "$srv" $m "$work/data-$srv-$tag-m$m"; done
    for ((m = 1; m <= members; m++)); do
        wait_ready "$srv" $m 180 >/dev/null || { log "$srv member $m did not start; see $work/$srv-m$m.log"; return 1; }
    done
}

wait_ready() { # wait_ready srv member timeout -> prints epoch ms of first successful linearizable range
    local out
    out="$(timeout 200 "$bench" wait-ready --endpoints "127.0.0.1:$(port "$1" "$2" client)" --timeout "$3")" || return 1
    echo "${out#READY }"
}

stop_server() { local srv="$1" m; for ((m = 1; m <= members; m++)); do
    [ -n "${PID_OF["$srv $m"]:-}" ] && stop_pid "${PID_OF["$srv $m"]}" 30; unset "PID_OF[$srv $m]"; done; }

cpu_ticks() { # total utime+stime ticks of a server's members
    local srv="$1" m t=0 f
    for ((m = 1; m <= members; m++)); do
        f="/proc/${PID_OF["$srv $m"]:-0}/stat"
        [ -r "$f" ] && t=$((t + $(sed 's/^.*) //' "$f" | awk '{print $12 + $13}')))
    done
    echo "$t"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

run_client() { # run_client bound-seconds outfile args... (in the background, so traps run at once)
    local bound="$1" out="$2"; shift 2
    timeout -s TERM -k 5 "$bound" "$bench" "$@" > "$out" 2>&1 &
    client_pid=$!
    wait "$client_pid"; local rc=$?
    client_pid=""
    return $rc
}

# case id | metric (python path in the RESULT json) | better | description | bench args
cases=(
  "put-1|stats.latency_ms.p50|lower|put, 1 conn, 1 client: p50 latency (ms)|put --conns 1 --clients 1 --key-space-size 1000"
  "put-1000|throughput|higher|put, 100 conns, 1000 clients: puts/s|put --conns 100 --clients 1000 --key-space-size 1000"
  "put-10|throughput|higher|put, 10 conns, 10 clients: puts/s|put --conns 10 --clients 10 --key-space-size 1000"
  "range-lin|throughput|higher|range linearizable, 100 conns, 1000 clients: reads/s|range --conns 100 --clients 1000 --key-space-size 1000"
  "range-ser|throughput|higher|range serializable, 100 conns, 1000 clients: reads/s|range --serializable --conns 100 --clients 1000 --key-space-size 1000"
  "put-100|throughput|higher|put, 10 conns, 100 clients: puts/s|put --conns 10 --clients 100 --key-space-size 1000"
  "range-lin-100|throughput|higher|range linearizable, 10 conns, 100 clients: reads/s|range --conns 10 --clients 100 --key-space-size 1000"
  "range-ser-100|throughput|higher|range serializable, 10 conns, 100 clients: reads/s|range --serializable --conns 10 --clients 100 --key-space-size 1000"
  "txn-put|throughput|higher|txn-put, 10 conns, 100 clients: txns/s|txn-put --conns 10 --clients 100 --key-space-size 1000"
  "lease-grant|throughput|higher|lease-grant, 10 conns, 100 clients: grants/s|lease-grant --conns 10 --clients 100"
  "keepalive-stream|throughput|higher|lease-keepalive, one stream, 64 unanswered (as jetcd's one stream): keep-alives/s|lease-keepalive --conns 1 --clients 64 --stream-depth 64"
  "watch|stats.latency_ms.p99|lower|watch, 100 watchers on 10 streams, 100 puts/s: p99 event latency after put ack (ms)|watch --conns 10 --watchers 100 --streams 10 --rate 100"
)
case_bound=$((case_warmup + case_seconds + 60))
# the key space of every case; only the selected cases
default_cases=(put-1 put-10 put-100 put-1000 range-lin range-ser txn-put lease-grant watch)
selected=()
for c in "${cases[@]}"; do
    id="${c%%|*}"
    if [ -n "$only_cases" ]; then
        [[ ",$only_cases," == *",$id,"* ]] || continue
    else
        [[ " ${default_cases[*]} " == *" $id "* ]] || continue
    fi
    selected+=("${c//--key-space-size 1000/--key-space-size $key_space}")
done
cases=("${selected[@]}")

record() { # record srv case repeat outfile extra-json
    local line
    line="$(grep '^RESULT ' "$4" | tail -1)"
    if [ -z "$line" ]; then
        line="RESULT {\"failed\":\"no RESULT line: $(tail -3 "$4" | tr -d '"\\' | tr '\n' ' ')\"}"
    fi
    printf '{"server":"%s","case":"%s","repeat":%s,%s"result":%s}\n' "$1" "$2" "$3" "$5" "${line#RESULT }" >> "$jsonl"
}

servers=(etcd ketcd)
log "work dir $work; members $members, repeats $repeats, keys $keys, server warm-up ${server_warmup}s, cases ${case_warmup}s warm-up + ${case_seconds}s"

# --- 1. load cases on long-running servers (none with --keys-only)
[ $keys_only = 1 ] && repeats=0
for srv in "${servers[@]}"; do
    [ $keys_only = 1 ] && break
    log "starting $srv"
    start_server "$srv" load || exit 1
    ep="$(endpoints_of "$srv")"
    log "warming up $srv (${server_warmup}s, not recorded)"
    w1=$(( server_warmup * 6 / 10 )); w2=$(( server_warmup - w1 ))
    if [ "$key_space" -gt 1000 ]; then
        log "writing the $key_space keys of the key space"
        run_client 900 "$work/fill-$srv.out" put --endpoints "$ep" --conns 100 --clients 1000 --total "$key_space" \
            --key-space-size "$key_space" --sequential-keys --val-size $val_size --key-size $key_size --timeout 30
    fi
    run_client $((w1 + 60)) "$work/warmup-$srv-put.out" put --endpoints "$ep" --conns 100 --clients 1000 \
        --key-space-size "$key_space" --sequential-keys --val-size $val_size --key-size $key_size --duration "$w1"
    run_client $((w2 + 60)) "$work/warmup-$srv-range.out" range --endpoints "$ep" --conns 100 --clients 1000 \
        --key-space-size "$key_space" --key-size $key_size --duration "$w2"
    grep -h '^RESULT' "$work/warmup-$srv-put.out" "$work/warmup-$srv-range.out" | cut -c1-200 | sed 's/^/  warm-up /' >&2
done

for ((r = 1; r <= repeats; r++)); do
    order=(etcd ketcd); [ $((r % 2)) = 0 ] && order=(ketcd etcd)
    for c in "${cases[@]}"; do
        IFS='|' read -r id metric better desc args <<< "$c"
        for srv in "${order[@]}"; do
            out="$work/$id-$srv-$r.out"
            t0="$(cpu_ticks "$srv")"; w0="$(date +%s%N)"
            # shellcheck disable=SC2086
            run_client "$case_bound" "$out" $args --endpoints "$(endpoints_of "$srv")" --val-size $val_size \
                $([ $on_followers = 1 ] && echo --target-followers) --key-size $key_size --warmup "$case_warmup" --duration "$case_seconds" --label "$id/$srv/$r"
            t1="$(cpu_ticks "$srv")"; w1="$(date +%s%N)"
            server_cpu="$(python3 -c "print(round(($t1 - $t0) / $clk_tck, 2))")"
            wall="$(python3 -c "print(round(($w1 - $w0) / 1e9, 2))")"
            record "$srv" "$id" "$r" "$out" "\"server_cpu_s\":$server_cpu,\"client_wall_s\":$wall,"
            log "repeat $r $id $srv: $(python3 - "$jsonl" "$metric" <<'PY'
import json, sys
row = json.loads(open(sys.argv[1]).read().splitlines()[-1]); r = row["result"]
v = r
for p in sys.argv[2].split("."): v = v.get(p) if isinstance(v, dict) else None
print(f"{sys.argv[2]}={v} ok={r.get('ok')} errors={r.get('errors')} client_cpu={r.get('client_cpu_pct_of_machine')}% server_cpu={row['server_cpu_s']}s", r.get("failed", ""))
PY
)"
        done
    done
done
for srv in "${servers[@]}"; do stop_server "$srv"; done

# --- 2. memory with K keys loaded, restart-to-serving (fresh members, one server at a time)
for srv in "${servers[@]}"; do
    log "$srv: loading $keys keys into a fresh member"
    start_server "$srv" mem || exit 1
    ep="$(endpoints_of "$srv")"
    rss_empty="$(rss_kb "${PID_OF["$srv 1"]}")"
    run_client 900 "$work/load-$srv.out" put --endpoints "$ep" --conns 100 --clients 1000 --total "$keys" \
        --key-space-size "$keys" --sequential-keys --val-size $val_size --key-size $key_size --timeout 30
    sleep 3
    rss_loaded="$(rss_kb "${PID_OF["$srv 1"]}")"
    db_bytes="$(du -sb "$work/data-$srv-mem-m1" | cut -f1)"
    stop_pid "${PID_OF["$srv 1"]}" 60
    t_start="$(date +%s%3N)"
    start_member "$srv" 1 "$work/data-$srv-mem-m1"
    ready="$(wait_ready "$srv" 1 300)" || ready=""
    restart_ms=null; [ -n "$ready" ] && restart_ms=$((ready - t_start))
    sleep 2
    rss_restarted="$(rss_kb "${PID_OF["$srv 1"]}")"
    # one more read after the restart (logged in the work dir)
    run_client 120 "$work/count-$srv.out" range --endpoints "$ep" --total 1 --key-space-size 1
    record "$srv" memory 1 "$work/load-$srv.out" "\"keys\":$keys,\"rss_empty_kb\":${rss_empty:-0},\"rss_loaded_kb\":${rss_loaded:-0},\"rss_restarted_kb\":${rss_restarted:-0},\"restart_to_serving_ms\":$restart_ms,\"data_dir_bytes\":$db_bytes,"
    log "$srv: $keys keys: RSS ${rss_loaded} kB (empty ${rss_empty} kB, after restart ${rss_restarted} kB), data dir $db_bytes B, restart-to-serving ${restart_ms} ms"
    stop_server "$srv"
done

# --- 3. table and RESULTS.md
commit="${KETCD_COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
[ -n "${KETCD_COMMIT:-}" ] || git -C "$root" diff --quiet HEAD -- bundles features karaf-assembly 2>/dev/null || commit="$commit (+ uncommitted changes in the work tree)"
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
jdk="$(java -version 2>&1 | head -1)"
etcdv="$(etcd --version 2>/dev/null | head -1)"
printf '%s\n' "${cases[@]}" > "$work/cases.txt"
ON_FOLLOWERS="$on_followers" python3 - "$jsonl" "$work/cases.txt" "$results" "$results_write" "$members" "$repeats" "$keys" "$commit" "$machine" "$jdk" "$etcdv" \
    "$server_warmup" "$case_warmup" "$case_seconds" "$keys_only" "$key_size" "$val_size" "$ketcd_java_opts" "$key_space" "$ketcd_flags" <<'PY'
import json, sys, statistics, datetime, os, re
(jsonl, cases_f, results, write, members, repeats, keys, commit, machine, jdk, etcdv,
 sw, cw, cs, keys_only, key_size, val_size, ketcd_opts, key_space, ketcd_flags) = sys.argv[1:]
rows = [json.loads(l) for l in open(jsonl) if l.strip()]
cases = [l.rstrip("\n").split("|") for l in open(cases_f) if l.strip()]
def get(r, path):
    v = r
    for p in path.split("."):
        v = v.get(p) if isinstance(v, dict) else None
    return v
def fmt(v):
    if v is None: return "-"
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}" if v < 10 else f"{v:.1f}"
out = []
out.append(f"| case | etcd | Ketcd | Ketcd/etcd | notes |")
out.append("| --- | ---: | ---: | ---: | --- |")
for cid, metric, better, desc, args in cases:
    med = {}; notes = []
    for srv in ("etcd", "ketcd"):
        rs = [x for x in rows if x["server"] == srv and x["case"] == cid]
        vals = [get(x["result"], metric) for x in rs if x["result"].get("ok", 0) > 0]
        vals = [v for v in vals if v is not None]
        errs = sum(x["result"].get("errors", 0) or 0 for x in rs)
        msgs = {}
        for x in rs:
            for k, n in (get(x["result"], "stats.error_messages") or {}).items(): msgs[k] = msgs.get(k, 0) + n
            if "failed" in x["result"]: msgs[x["result"]["failed"]] = 1
        med[srv] = statistics.median(vals) if vals else None
        ccpu = [x["result"].get("client_cpu_pct_of_machine") for x in rs if x["result"].get("client_cpu_pct_of_machine") is not None]
        scpu = [x.get("server_cpu_s", 0) / x["client_wall_s"] * 100 / os.cpu_count() for x in rs if x.get("client_wall_s")]
        bits = []
        if ccpu: bits.append(f"client CPU {statistics.median(ccpu):.0f}%")
        if scpu and any(scpu): bits.append(f"server CPU ~{statistics.median(scpu):.0f}%")
        if errs or msgs:
            top = sorted(msgs.items(), key=lambda kv: -kv[1])[:2]
            bits.append(f"{errs} errors: " + "; ".join(f"{k[:90]}" for k, n in top))
        if len(vals) != len(rs): bits.append(f"{len(vals)}/{len(rs)} runs usable")
        notes.append(f"{'Ketcd' if srv == 'ketcd' else 'etcd'}: " + ", ".join(bits))
    e, k = med["etcd"], med["ketcd"]
    ratio = f"{k / e:.2f}" if isinstance(e, (int, float)) and isinstance(k, (int, float)) and e else "-"
    kd = k if isinstance(k, str) else fmt(k) if k is not None else "error"
    out.append(f"| {desc} ({better} is better) | {fmt(e) if e is not None else 'error'} | {kd} | {ratio} | {'; '.join(notes)} |")
mem = {x["server"]: x for x in rows if x["case"] == "memory"}
out2 = ["| with {:,} keys ({} B keys, {} B values){}{} | etcd | Ketcd | Ketcd/etcd |".format(int(keys), key_size, val_size,
        f"; Ketcd with KETCD_JAVA_OPTS={ketcd_opts}" if ketcd_opts else "",
        "; member 1 of {}, restarted alone".format(members) if int(members) > 1 else ""), "| --- | ---: | ---: | ---: |"]
def mrow(label, field, scale=1.0, unit=""):
    e = mem.get("etcd", {}).get(field); k = mem.get("ketcd", {}).get(field)
    f = lambda v: "-" if v is None else f"{v/scale:,.0f}{unit}"
    ratio = f"{k/e:.2f}" if e and k else "-"
    out2.append(f"| {label} | {f(e)} | {f(k)} | {ratio} |")
mrow("resident memory, keys loaded (VmRSS)", "rss_loaded_kb", 1024, " MiB")
mrow("resident memory, empty member", "rss_empty_kb", 1024, " MiB")
mrow("resident memory, after restart", "rss_restarted_kb", 1024, " MiB")
mrow("restart-to-serving (process start to first linearizable read)", "restart_to_serving_ms", 1, " ms")
mrow("data dir size", "data_dir_bytes", 1 << 20, " MiB")
loads = {s: get(mem[s]["result"], "throughput") for s in mem}
mrow_load = lambda: out2.append("| load rate (100 conns, 1000 clients) | {} | {} | {} |".format(
    fmt(loads.get("etcd")) + " puts/s" if loads.get("etcd") else "-",
    fmt(loads.get("ketcd")) + " puts/s" if loads.get("ketcd") else "-",
    f"{loads['ketcd']/loads['etcd']:.2f}" if loads.get("etcd") and loads.get("ketcd") else "-"))
mrow_load()
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
if keys_only == "1":
    section = [f"## Run {now} (--keys-only)", "",
        f"- machine: {machine}; {jdk}; {etcdv}",
        f"- Ketcd commit: {commit}",
        f"- members: {members}; only the {int(keys):,}-key part (no load cases); same flags for both "
        f"(`--quota-backend-bytes` 8 GiB), fresh data dirs, client and servers on the same 2 cores", "",
        *out2, ""]
    out = []
else:
    section = [f"## Run {now}", "",
        f"- machine: {machine}; {jdk}; {etcdv}",
        f"- Ketcd commit: {commit}",
        f"- members: {members}; repeats: {repeats} (interleaved; medians shown); each case: {cw} s unrecorded warm-up + {cs} s measured, "
        f"in its own client JVM; servers warmed up {sw} s before the first case; {key_size}-byte keys, {val_size}-byte values, "
        f"key space {int(key_space):,}; same flags for both (`--quota-backend-bytes` 8 GiB)"
        + (f", Ketcd also `{ketcd_flags}`" if ketcd_flags else "") + (f", Ketcd's JVM `{ketcd_opts}`" if ketcd_opts else "")
        + ", fresh data dirs, client and servers on the same 2 cores"
        + ("; every load case sends only to followers (`--on-followers`)" if os.environ.get("ON_FOLLOWERS") == "1" else ""),
        "- client CPU: % of the whole machine used by the client JVM (`bench/ketcd-bench`) in the measured phase; "
        "server CPU: % of the machine used by the server process(es) over the whole client run (JVM start + warm-up + measured phase)", "",
        *out, "", *out2, ""]
if out:
    print("\n".join(out)); print()
print("\n".join(out2))
if write == "1":
    old = open(results).read() if os.path.exists(results) else ""
    # every section already there (runs, and sections written by hand or by bench/camel-mqtt.sh) stays below
    prev = old[old.find("\n## ") + 1:] if "\n## " in old else ""
    head = ["# Benchmark results: Ketcd vs real etcd", "",
            "Written by `bench/side-by-side.sh` (newest run first). Numbers from a noisy 2-core VM: "
            "compare ratios within one run, not absolute numbers across runs.", ""]
    open(results, "w").write("\n".join(head + section) + ("\n" + prev if prev else ""))
    print(f"\nwritten: {results}")
PY
cp "$jsonl" "$work/../ketcd-side-by-side-last.jsonl" 2>/dev/null || true
