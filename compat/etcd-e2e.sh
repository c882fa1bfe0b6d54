#!/usr/bin/env bash
# compat/etcd-e2e.sh - run etcd 3.4's own end-to-end test suite (go.etcd.io/etcd/tests/e2e) against the real
# etcd and against Ketcd's bin/ketcd, one test at a time, and write a Markdown table `test | etcd | ketcd`.
#
#   compat/etcd-e2e.sh [--side etcd|ketcd|both] [--timeout SEC] [--resume] [--rerun REGEX] [--report-only]
#                      [--list] [--include-v2] [--write-docs] [REGEX]
#
#   REGEX          Go regexp over test names (default: every test). Tests with "V2" in their name (TestCtlV2*,
#                  TestV2Curl*: the v2 API, which needs --enable-v2) and TestCtlV3Migrate (writes v2 data first)
#                  are excluded and listed with the reason, unless --include-v2 is given.
#   --side S       run the suite against etcd, ketcd or both (default both: etcd first, then Ketcd).
#   --timeout SEC  per-test bound (-test.timeout; the process is killed 30 s later if it still runs). Default 120
#                  for etcd and 180 for Ketcd (a Ketcd member needs ~15 s to boot, a 3-member cluster more).
#   --resume       keep the results already recorded in the work dir for this side and run only the others.
#   --rerun RE     with --resume (implied): also run again the selected tests matching RE.
#   --report-only  run nothing; rebuild the table from the results already recorded.
#   --list         print the selected and the excluded tests and exit.
#   --write-docs   also copy the table to docs/etcd-e2e-results.md in this repository.
#   A file $KETCD_E2E_WORK/notes.md, if present, is copied into the table's header ("Notes on this run").
#
# Environment:
#   KETCD_E2E_WORK   work and cache dir (default /tmp/ketcd-e2e): the built e2e.test, bin dirs, per-test logs
#                    (results/<side>/<Test>.log), per-test results and results.md.
#   KETCD_BIN        Ketcd's start script (default <repo>/karaf-assembly/target/assembly/bin/ketcd). If the
#                    default is missing the distribution is built first: `mvn -B -q -DskipTests install` at the
#                    repository root, with the extra arguments in KETCD_E2E_MVN_ARGS (e.g.
#                    -Dmaven.repo.local=/tmp/m2-e2e).
#   ETCD_BIN, ETCDCTL_BIN   the real etcd and etcdctl (default: found on the PATH; Debian: /usr/bin).
#
# What it needs, installed with apt-get when missing (root; the dpkg lock is waited for, services are kept from
# starting by a temporary /usr/sbin/policy-rc.d as in .ci/run): golang-go, golang-etcd-server-dev (etcd
# 3.4.23's source with tests/e2e and every dependency under /usr/share/gocode), etcd-server, etcd-client.
# Nothing is downloaded except those Debian packages; nothing is written into this repository except with
# --write-docs.
#
# How:
# - The suite is built once in GOPATH mode into the work dir (rebuilt when the package version changes):
#     GOPATH=/usr/share/gocode GO111MODULE=off go test -c -o $WORK/e2e.test go.etcd.io/etcd/tests/e2e
# - The tests are listed with `e2e.test -test.list '.*'` and each is run alone, under `nice -n 10`, as
#     e2e.test -test.run '^Name$' -test.v -test.timeout SECs -bin-dir DIR -cert-dir DIR
#   from $WORK/tree/tests/e2e (TestEtcdExampleConfig reads ../../etcd.conf.yml.sample, which Debian does not
#   ship: a minimal config of our own with etcd's defaults is written there). -cert-dir is a copy of the
#   package's integration/fixtures at $WORK/tree/integration/fixtures (the JWT tests name ../../integration/fixtures). Each test gets its own TMPDIR (the suite's data dirs) and
#   KETCD_RUNTIME_DIR, both removed afterwards.
# - One test at a time: each test holds the lock file $KETCD_E2E_LOCK (default /tmp/ketcd-e2e.lock), and a
#   test waits while any other e2e.test process runs on the machine. Against a run that does not take the lock
#   (an older copy of this script) that wait only narrows the overlap: a test may start in the second between
#   two of the other run's tests. Two runs should not share a KETCD_E2E_WORK either: their results overwrite.
# - Strays: the suite starts every server on a pty in a session of its own (setsid), so a process group does
#   not hold them. Every process of a test instead inherits KETCD_E2E_MARK=<unique>; after the test, each
#   process whose environment carries it gets SIGTERM, and SIGKILL 5 s later.
# - etcd's bin dir: symlinks to the real etcd and etcdctl. Ketcd's bin dir: the real etcdctl and an `etcd`
#   script that execs KETCD_BIN with the same arguments (same PID: the suite's SIGKILL/SIGTERM reach the JVM).
#   The suite waits for two lines of etcd's own log before it uses a member ("enabled capabilities for
#   version" and "published"); Ketcd prints them itself.
#   `etcd --version`, `--help`, `gateway ...` and `grpc-proxy ...` are exec'ed unfiltered.
# - Result per test: PASS/SKIP/FAIL from the `--- PASS|SKIP|FAIL: Name` line; a test killed by -test.timeout
#   or by the outer bound is FAIL. The reason shown is the first `file.go:NN: message` line the test printed
#   (the first t.Error/t.Fatal, or a t.Log before it), else the panic or the last line.
# - The suite uses localhost ports 20000-20100 (and 2379/2380 in TestEtcdExampleConfig, 23790 for the
#   gateway); some tests listen on 0.0.0.0:0. Nothing is sent off this machine.
#
# Exit status: 0 when the runs finished (whatever the tests' results), 1 on a setup error, 2 on bad usage.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd "$here/.." && pwd -P)"
WORK="${KETCD_E2E_WORK:-/tmp/ketcd-e2e}"
GOSRC=/usr/share/gocode
E2E_PKG=go.etcd.io/etcd/tests/e2e
ETCD_SRC="$GOSRC/src/go.etcd.io/etcd"

side=both; timeout_arg=""; rerun=""; resume=no; report_only=no; list_only=no; include_v2=no; write_docs=no; regex='.*'
while [ $# -gt 0 ]; do
    case "$1" in
        --side) side="${2:-}"; shift 2 ;;
        --timeout) timeout_arg="${2:-}"; shift 2 ;;
        --resume) resume=yes; shift ;;
        --rerun) resume=yes; rerun="${2:-}"; shift 2 ;;
        --report-only) report_only=yes; shift ;;
        --list) list_only=yes; shift ;;
        --include-v2) include_v2=yes; shift ;;
        --write-docs) write_docs=yes; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
        -*) echo "etcd-e2e: unknown option $1" >&2; exit 2 ;;
        *) regex="$1"; shift ;;
    esac
done
case "$side" in etcd|ketcd|both) ;; *) echo "etcd-e2e: --side must be etcd, ketcd or both" >&2; exit 2 ;; esac
if [ -n "$timeout_arg" ] && ! [[ "$timeout_arg" =~ ^[1-9][0-9]*$ ]]; then
    echo "etcd-e2e: --timeout takes whole seconds" >&2; exit 2
fi
sides=(); [ "$side" = ketcd ] || sides+=(etcd); [ "$side" = etcd ] || sides+=(ketcd)

log() { printf '%s etcd-e2e: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

mkdir -p "$WORK" || die "cannot create $WORK"
WORK="$(cd "$WORK" && pwd -P)"

# ---------------------------------------------------------------------------------------------- packages
apt_install() {
    [ "$(id -u)" -eq 0 ] || die "missing $*, and not root: apt-get install $*"
    log "installing $* (Debian packages)"
    local created_policy=no
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=yes
    fi
    local rc=0
    # another apt-get/dpkg may hold the lock (e.g. at machine start): wait for it up to 15 min
    DEBIAN_FRONTEND=noninteractive nice -n 10 apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "$@" \
        > "$WORK/apt.log" 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        log "apt-get install failed; updating the package lists and trying once more"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update >> "$WORK/apt.log" 2>&1
        rc=0
        DEBIAN_FRONTEND=noninteractive nice -n 10 apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "$@" \
            >> "$WORK/apt.log" 2>&1 || rc=$?
    fi
    [ "$created_policy" = yes ] && rm -f /usr/sbin/policy-rc.d
    [ $rc -eq 0 ] || die "apt-get install $* failed, see $WORK/apt.log"
    if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled etcd >/dev/null 2>&1; then
        systemctl disable etcd >/dev/null 2>&1 || true
    fi
}

ensure_packages() {
    local missing=()
    command -v go >/dev/null 2>&1 || missing+=(golang-go)
    [ -d "$ETCD_SRC/tests/e2e" ] || missing+=(golang-etcd-server-dev)
    if [ -z "${ETCD_BIN:-}" ]; then command -v etcd >/dev/null 2>&1 || missing+=(etcd-server); fi
    if [ -z "${ETCDCTL_BIN:-}" ]; then command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client); fi
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
    ETCD_BIN="${ETCD_BIN:-$(command -v etcd)}"
    ETCDCTL_BIN="${ETCDCTL_BIN:-$(command -v etcdctl)}"
    [ -x "$ETCD_BIN" ] || die "etcd not found ($ETCD_BIN)"
    [ -x "$ETCDCTL_BIN" ] || die "etcdctl not found ($ETCDCTL_BIN)"
}

# ------------------------------------------------------------------------------------------------- build
suite_version() {
    printf '%s go=%s\n' "$(dpkg-query -W -f='${Version}' golang-etcd-server-dev 2>/dev/null || echo unknown)" \
        "$(go env GOVERSION 2>/dev/null)"
}

build_suite() {
    local want; want="$(suite_version)"
    if [ -x "$WORK/e2e.test" ] && [ "$(cat "$WORK/e2e.test.version" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    log "building etcd's e2e suite ($want) into $WORK/e2e.test"
    rm -f "$WORK/e2e.test" "$WORK/e2e.test.version"
    (cd "$WORK" && GOPATH="$GOSRC" GO111MODULE=off GOFLAGS= GOCACHE="$WORK/gocache" \
        nice -n 10 go test -c -o "$WORK/e2e.test" "$E2E_PKG") > "$WORK/build.log" 2>&1 \
        || die "go test -c failed, see $WORK/build.log"
    printf '%s\n' "$want" > "$WORK/e2e.test.version"
}

ensure_ketcd() {
    local default_bin="$repo/karaf-assembly/target/assembly/bin/ketcd"
    KETCD_BIN="${KETCD_BIN:-$default_bin}"
    if [ ! -x "$KETCD_BIN" ] && [ "$KETCD_BIN" = "$default_bin" ]; then
        log "building Ketcd's distribution: mvn -B -q -DskipTests install ${KETCD_E2E_MVN_ARGS:-}"
        # shellcheck disable=SC2086 # extra Maven arguments are word-split on purpose
        (cd "$repo" && nice -n 10 mvn -B -q -DskipTests ${KETCD_E2E_MVN_ARGS:-} install) > "$WORK/mvn.log" 2>&1 \
            || die "mvn install failed, see $WORK/mvn.log"
    fi
    [ -x "$KETCD_BIN" ] || die "Ketcd start script not found: $KETCD_BIN (set KETCD_BIN)"
    KETCD_BIN="$(cd "$(dirname "$KETCD_BIN")" && pwd -P)/$(basename "$KETCD_BIN")"
}

# ------------------------------------------------------------------------------------------- run layout
prepare_layout() {
    mkdir -p "$WORK/bin-etcd" "$WORK/bin-ketcd" "$WORK/tree/tests/e2e" "$WORK/tmp"
    ln -sfn "$ETCD_BIN" "$WORK/bin-etcd/etcd"
    ln -sfn "$ETCDCTL_BIN" "$WORK/bin-etcd/etcdctl"
    ln -sfn "$ETCDCTL_BIN" "$WORK/bin-ketcd/etcdctl"
    # the suite's certificates (server.crt, ca.crt, revoke.crl, ...), copied so that no test writes to the package;
    # at ../../integration/fixtures from the working directory, where the JWT tests' --auth-token options look
    rm -rf "$WORK/tree/integration/fixtures" && mkdir -p "$WORK/tree/integration" \
        && cp -a "$ETCD_SRC/integration/fixtures" "$WORK/tree/integration/fixtures" \
        || die "cannot copy $ETCD_SRC/integration/fixtures"
    # TestEtcdExampleConfig starts `etcd --config-file ../../etcd.conf.yml.sample`; Debian does not ship etcd's
    # sample, so this is a config of our own with etcd's default member settings (data dir relative to the cwd).
    cat > "$WORK/tree/etcd.conf.yml.sample" <<'EOF'
# written by compat/etcd-e2e.sh: the keys of etcd's sample configuration with etcd's default values
name: 'default'
data-dir:
wal-dir:
snapshot-count: 100000
heartbeat-interval: 100
election-timeout: 1000
quota-backend-bytes: 0
listen-peer-urls: http://localhost:2380
listen-client-urls: http://localhost:2379
max-snapshots: 5
max-wals: 5
cors:
initial-advertise-peer-urls: http://localhost:2380
advertise-client-urls: http://localhost:2379
discovery:
discovery-fallback: 'proxy'
discovery-proxy:
discovery-srv:
initial-cluster:
initial-cluster-token: 'etcd-cluster'
initial-cluster-state: 'new'
strict-reconfig-check: false
enable-v2: true
enable-pprof: true
proxy: 'off'
proxy-failure-wait: 5000
proxy-refresh-interval: 30000
proxy-dial-timeout: 1000
proxy-write-timeout: 5000
proxy-read-timeout: 0
client-transport-security:
  cert-file:
  key-file:
  client-cert-auth: false
  trusted-ca-file:
  auto-tls: false
peer-transport-security:
  cert-file:
  key-file:
  client-cert-auth: false
  trusted-ca-file:
  auto-tls: false
debug: false
logger: zap
log-outputs: [stderr]
force-new-cluster: false
auto-compaction-mode: periodic
auto-compaction-retention: "1"
EOF
    if [ "${#sides[@]}" -gt 0 ] && [[ " ${sides[*]} " == *" ketcd "* ]]; then
        write_ketcd_wrapper
    fi
}

write_ketcd_wrapper() {
    local q w; q="$(printf '%q' "$KETCD_BIN")"; w="$(printf '%q' "$WORK")"
    cat > "$WORK/bin-ketcd/etcd.tmp" <<EOF
#!/usr/bin/env bash
# Written by compat/etcd-e2e.sh: etcd's e2e suite starts "etcd" from its -bin-dir; this starts Ketcd instead.
ketcd=$q
work=$w
EOF
    cat >> "$WORK/bin-ketcd/etcd.tmp" <<'EOF'
case "${1:-}" in
    --version|-version|--help|-help|-h|gateway|grpc-proxy) exec "$ketcd" "$@" ;;
esac
# A copy of Ketcd's output for the table's failure hints: results/<side>/<Test>.servers/ketcd-<pid>.log, the test
# being named by the run's mark (e2e-<pid>-<side>-<Test>-<ns>) that every process of a test inherits.
logf=/dev/null
if [ -n "${KETCD_E2E_MARK:-}" ]; then
    IFS=- read -r _ _ e2e_side e2e_test _ <<< "$KETCD_E2E_MARK"
    if [ -n "${e2e_test:-}" ] && mkdir -p "$work/results/$e2e_side/$e2e_test.servers" 2>/dev/null; then
        logf="$work/results/$e2e_side/$e2e_test.servers/ketcd-$$.log"
        { printf 'args:'; printf ' %q' "$@"; printf '\n'; } > "$logf"
    fi
fi
# Ketcd's output goes to the suite (which reads it from a pty) and to the copy.
exec > >(tee -a "$logf") 2>&1
exec "$ketcd" "$@"
EOF
    chmod +x "$WORK/bin-ketcd/etcd.tmp" && mv -f "$WORK/bin-ketcd/etcd.tmp" "$WORK/bin-ketcd/etcd"
}

# ------------------------------------------------------------------------------------------- selection
ALL=(); SELECTED=(); EXCLUDED=()
# prints why a test is a v2 test (and succeeds), or fails
v2_reason() {
    case "$1" in
        TestCtlV3Migrate) echo "writes its data with etcdctl's v2 API (ETCDCTL_API=2) before migrating it; its member runs without --enable-v2, so it fails on etcd 3.4 as well" ;;
        TestCtlV2*) echo "etcdctl's v2 commands against members started with --enable-v2" ;;
        TestV2*) echo "the v2 HTTP API (curl), members started with --enable-v2" ;;
        *V2*) echo "v2 API" ;;
        *) return 1 ;;
    esac
}
select_tests() {
    mapfile -t ALL < <("$WORK/e2e.test" -test.list '.*' 2>/dev/null | grep '^Test')
    [ ${#ALL[@]} -gt 0 ] || die "e2e.test -test.list printed no test"
    local t
    for t in "${ALL[@]}"; do
        if ! printf '%s\n' "$t" | grep -qE -- "$regex"; then continue; fi
        if [ "$include_v2" = no ] && v2_reason "$t" >/dev/null; then EXCLUDED+=("$t"); continue; fi
        SELECTED+=("$t")
    done
}

# ---------------------------------------------------------------------------------------------- running
kill_marked() {
    local mark="$1" p pid pids=() round
    for round in TERM KILL; do
        pids=()
        for p in $(grep -lzxF "KETCD_E2E_MARK=$mark" /proc/[0-9]*/environ 2>/dev/null); do
            pid="${p#/proc/}"; pid="${pid%/environ}"
            [ "$pid" = "$$" ] || pids+=("$pid")
        done
        [ ${#pids[@]} -eq 0 ] && return 0
        log "  stopping ${#pids[@]} stray process(es) of the test with SIG$round: ${pids[*]}"
        kill -s "$round" "${pids[@]}" 2>/dev/null
        [ "$round" = TERM ] && for _ in $(seq 1 50); do
            local alive=no
            for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=yes; done
            [ $alive = no ] && break
            sleep 0.1
        done
    done
}

# One test at a time on this machine, also across runs with other work dirs: each test holds the lock file
# $KETCD_E2E_LOCK (default /tmp/ketcd-e2e.lock; fd 9, not inherited by the test), and waits while an e2e.test
# started by something else (e.g. a copy of this script without the lock) runs.
one_at_a_time() {
    local said=no others
    if [ -z "${LOCK_OPEN:-}" ]; then
        exec 9>> "${KETCD_E2E_LOCK:-/tmp/ketcd-e2e.lock}" || die "cannot open ${KETCD_E2E_LOCK:-/tmp/ketcd-e2e.lock}"
        LOCK_OPEN=yes
    fi
    if ! flock -n 9; then
        log "another run holds ${KETCD_E2E_LOCK:-/tmp/ketcd-e2e.lock}: waiting for its test to end"; flock 9
    fi
    while others="$(pgrep -x e2e.test | tr '\n' ' ')"; [ -n "$others" ]; do
        [ $said = yes ] || log "another e2e.test is running (pid ${others% }): waiting for it to end"
        said=yes; sleep 5
    done
}

# The suite's fixed ports: members at 20000+5i (+1 peer, +2 metrics), TestEtcdMultiPeer/PeerCNAuth up to 20005,
# the gateway and grpc-proxy at 23790, TestEtcdExampleConfig at 2379/2380. Prints a note naming those already
# listened on by another process (their tests then fail for both servers).
note_busy_ports() {
    local busy
    busy="$(ss -Hltn 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' \
        | awk '$1 == 2379 || $1 == 2380 || $1 == 23790 || ($1 >= 20000 && $1 <= 20030)' | sort -un | tr '\n' ' ')"
    [ -n "$busy" ] && printf 'ports the suite uses were already in use by another process when the run started: %s\n' "${busy% }"
}

# classify LOG TEST RC -> prints "STATUS<TAB>reason"
classify() {
    local logf="$1" t="$2" rc="$3" reason=""
    local tq; tq="$(printf '%s' "$t" | sed 's/[.[\*^$]/\\&/g')"
    if grep -qE "^--- PASS: $tq \(" "$logf"; then printf 'PASS\t\n'; return; fi
    if grep -qE "^--- SKIP: $tq \(" "$logf"; then
        reason="$(grep -E '^\s+[A-Za-z0-9_]+\.go:[0-9]+: ' "$logf" | head -1)"
        printf 'SKIP\t%s\n' "$reason"; return
    fi
    # first `file.go:NN: message` line, skipping FatalStack's goroutine dump
    reason="$(grep -E '^\s+[A-Za-z0-9_]+\.go:[0-9]+: ' "$logf" | grep -vE '\.go:[0-9]+: goroutine [0-9]+ \[' | head -1)"
    if grep -q '^panic: test timed out after' "$logf"; then
        local p; p="$(grep -m1 '^panic: test timed out after' "$logf")"
        # where the test was when it timed out: per goroutine of the suite (not TestMain), its innermost frame in
        # tests/e2e, e.g. "waitReadyExpectProc util.go:38" = still waiting for a member's ready lines
        local at; at="$(awk '
            /^goroutine [0-9]+ \[/ { blk++; next }
            /^go\.etcd\.io\/etcd\/tests\/e2e\./ && !(blk in seen) {
                seen[blk] = 1; fn = $0; sub(/^go\.etcd\.io\/etcd\/tests\/e2e\./, "", fn); sub(/\([^()]*\)$/, "", fn)
                if (fn == "TestMain") next
                getline loc; if (match(loc, /[a-z0-9_]+\.go:[0-9]+/)) fn = fn " " substr(loc, RSTART, RLENGTH)
                if (!(fn in out)) { out[fn] = 1; list = list (list == "" ? "" : ", ") fn }
            }
            END { print list }' "$logf")"
        reason="${p#panic: }${at:+ (in $at)}${reason:+; first message: $reason}"
    elif [ -z "$reason" ]; then
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            reason="killed by the outer time bound"
        elif grep -q '^panic: ' "$logf"; then
            reason="$(grep -m1 '^panic: ' "$logf")"
        else
            reason="no result line, exit status $rc; last line: $(grep -v '^\s*$' "$logf" | tail -1)"
        fi
    fi
    local hint; hint="$(server_hint "${logf%.log}.servers")"
    printf 'FAIL\t%s%s\n' "$reason" "${hint:+; Ketcd log: $hint}"
}

# the first line of Ketcd's output (copied by the wrapper) that says why it stopped: bin/ketcd's one-line
# "ketcd: ..." errors first, else the first ERROR-level log line
server_hint() {
    local dir="$1" l
    [ -d "$dir" ] || return 0
    l="$(cat "$dir"/*.log 2>/dev/null | sed -E 's/\x1b\[[0-9;]*m//g' | grep -m1 -E '^ketcd: ')"
    [ -n "$l" ] || l="$(cat "$dir"/*.log 2>/dev/null | sed -E 's/\x1b\[[0-9;]*m//g' | grep -m1 -E '^[0-9:.]+ +ERROR ' \
        | sed -E 's/^[0-9:.]+ +ERROR +\[[^]]*\] *//')"
    printf '%s' "$l" | cut -c1-200
}

run_side() {
    local s="$1" tmo bindir t n=0 total=${#SELECTED[@]}
    if [ -n "$timeout_arg" ]; then tmo="$timeout_arg"; elif [ "$s" = ketcd ]; then tmo=180; else tmo=120; fi
    bindir="$WORK/bin-$s"
    local resdir="$WORK/results/$s"
    mkdir -p "$resdir"
    if [ "$s" = ketcd ]; then
        printf '%s\n' "$KETCD_BIN" > "$resdir/KETCD_BIN"
        # the checkout KETCD_BIN was built in (else this one): HEAD, the last commit that changed Ketcd itself
        # (anything but compat/ and docs/), and whether Ketcd's files have uncommitted changes
        local src head code
        src="$(git -C "$(dirname "$KETCD_BIN")" rev-parse --show-toplevel 2>/dev/null || echo "$repo")"
        head="$(git -C "$src" rev-parse --short HEAD 2>/dev/null)"
        code="$(git -C "$src" log -1 --format=%h -- . ':!compat' ':!docs' 2>/dev/null)"
        {
            printf '%s' "${head:-unknown}"
            [ -n "$code" ] && [ "$code" != "$head" ] && printf ' (Ketcd code as of %s)' "$code"
            [ -n "$(git -C "$src" status --porcelain --untracked-files=no -- . ':!compat' ':!docs' 2>/dev/null)" ] \
                && printf ' with uncommitted changes'
            printf '\n'
        } > "$resdir/commit"
        "$KETCD_BIN" --version 2>/dev/null | head -1 > "$resdir/version"
    else
        "$ETCD_BIN" --version 2>/dev/null | head -1 > "$resdir/version"
    fi
    printf '%s\n' "$tmo" > "$resdir/timeout"
    note_busy_ports > "$resdir/busy-ports"
    [ -s "$resdir/busy-ports" ] && log "warning: $(cat "$resdir/busy-ports")"
    local side_start; side_start=$(date +%s)
    log "running ${total} test(s) against $s (per-test bound ${tmo}s)"
    for t in "${SELECTED[@]}"; do
        n=$((n + 1))
        if [ "$resume" = yes ] && [ -s "$resdir/$t.result" ] \
            && { [ -z "$rerun" ] || ! printf '%s\n' "$t" | grep -qE -- "$rerun"; }; then continue; fi
        local mark="e2e-$$-$s-$t-$(date +%s%N)"
        CURRENT_MARK="$mark"
        local tmp="$WORK/tmp/$s-$t"
        rm -rf "$tmp" "$resdir/$t.servers" && mkdir -p "$tmp/runtime"
        local rundir="$WORK/tree/tests/e2e"
        find "$rundir" -mindepth 1 -delete 2>/dev/null
        one_at_a_time
        local start rc=0 end
        start=$(date +%s)
        (cd "$rundir" && exec env TMPDIR="$tmp" KETCD_RUNTIME_DIR="$tmp/runtime" KETCD_E2E_MARK="$mark" \
            timeout -k 10 $((tmo + 30)) nice -n 10 "$WORK/e2e.test" -test.run "^${t}\$" -test.v \
            -test.timeout "${tmo}s" -bin-dir "$bindir" -cert-dir "$WORK/tree/integration/fixtures") \
            > "$resdir/$t.log" 2>&1 < /dev/null 9>&- || rc=$?
        end=$(date +%s)
        kill_marked "$mark"
        flock -u 9
        rm -rf "$tmp"
        find "$rundir" -mindepth 1 -delete 2>/dev/null
        printf '%s %s\n' "$((end - start))" "$rc" > "$resdir/$t.result"
        local res; res="$(classify "$resdir/$t.log" "$t" "$rc")"
        log "[$s $n/$total] $t: ${res%%$'\t'*} ($((end - start)) s)"
    done
    local side_end; side_end=$(date +%s)
    printf '%s\n' "$((side_end - side_start))" > "$resdir/last-run-seconds"
}

# ---------------------------------------------------------------------------------------------- report
md_cell() { # STATUS SECONDS REASON
    local st="$1" sec="$2" reason="$3"
    [ -z "$st" ] && { printf 'not run'; return; }
    # drop etcdctl's JSON retry warnings from the output quoted in the message (the error line follows them)
    reason="$(printf '%s' "$reason" | sed -E 's/^[[:space:]]+//; s/"\{\\"level\\":[^}]*\}\\r\\n" ?//g; s/\\r\\n//g; s/\|/\\|/g' \
        | cut -c1-420)"
    if [ "$st" = PASS ] || [ -z "$reason" ]; then printf '%s (%s s)' "$st" "$sec"
    else printf '%s (%s s): `%s`' "$st" "$sec" "$(printf '%s' "$reason" | tr '`' "'")"; fi
}

read_result() { # SIDE TEST -> sets R_ST R_SEC R_REASON
    R_ST=""; R_SEC=""; R_REASON=""
    local f="$WORK/results/$1/$2.result"
    [ -s "$f" ] || return 0
    local rc
    read -r R_SEC rc < "$f"
    IFS=$'\t' read -r R_ST R_REASON < <(classify "$WORK/results/$1/$2.log" "$2" "$rc")
}

fmt_duration() { local s="${1:-0}"; printf '%d min %02d s' $((s / 60)) $((s % 60)); }

report() {
    local out="$WORK/results.md" t
    local e_pass=0 e_fail=0 e_skip=0 e_none=0 k_pass=0 k_fail=0 k_skip=0 k_none=0 both_pass=0 e_sum=0 k_sum=0
    local rows="" gap_rows=""
    for t in "${SELECTED[@]}"; do
        read_result etcd "$t"; local es="$R_ST" esec="$R_SEC" er="$R_REASON"
        read_result ketcd "$t"; local ks="$R_ST" ksec="$R_SEC" kr="$R_REASON"
        case "$es" in PASS) e_pass=$((e_pass + 1)) ;; FAIL) e_fail=$((e_fail + 1)) ;; SKIP) e_skip=$((e_skip + 1)) ;;
            *) e_none=$((e_none + 1)) ;; esac
        case "$ks" in PASS) k_pass=$((k_pass + 1)) ;; FAIL) k_fail=$((k_fail + 1)) ;; SKIP) k_skip=$((k_skip + 1)) ;;
            *) k_none=$((k_none + 1)) ;; esac
        [ -n "$esec" ] && e_sum=$((e_sum + esec)); [ -n "$ksec" ] && k_sum=$((k_sum + ksec))
        if [ "$es" = PASS ] && [ "$ks" = PASS ]; then both_pass=$((both_pass + 1)); fi
        rows+="| $t | $(md_cell "$es" "$esec" "$er") | $(md_cell "$ks" "$ksec" "$kr") |"$'\n'
        if [ "$es" = PASS ] && [ -n "$ks" ] && [ "$ks" != PASS ]; then
            gap_rows+="| $t | $(md_cell "$ks" "$ksec" "$kr") |"$'\n'
        fi
    done
    local ev kv kc kb etmo ktmo
    ev="$(cat "$WORK/results/etcd/version" 2>/dev/null)"; kv="$(cat "$WORK/results/ketcd/version" 2>/dev/null)"
    kc="$(cat "$WORK/results/ketcd/commit" 2>/dev/null)"; kb="$(cat "$WORK/results/ketcd/KETCD_BIN" 2>/dev/null)"
    etmo="$(cat "$WORK/results/etcd/timeout" 2>/dev/null)"; ktmo="$(cat "$WORK/results/ketcd/timeout" 2>/dev/null)"
    {
        echo "# etcd 3.4's e2e suite against etcd and Ketcd"
        echo
        echo "Written by \`compat/etcd-e2e.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') ($(nproc) cores, every test alone under \`nice -n 10\`)."
        echo
        echo "- suite: \`go.etcd.io/etcd/tests/e2e\` of Debian's golang-etcd-server-dev $(cut -d' ' -f1 "$WORK/e2e.test.version" 2>/dev/null), built with $(cut -d' ' -f2 "$WORK/e2e.test.version" 2>/dev/null | sed 's/^go=//')"
        echo "- etcd: ${ev:-not run} (\`${ETCD_BIN:-etcd}\`), per-test bound ${etmo:-?} s"
        echo "- Ketcd: commit ${kc:-?}, ${kv:-not run} (\`${kb:-?}\`), per-test bound ${ktmo:-?} s"
        local bp
        for bp in etcd ketcd; do
            [ -s "$WORK/results/$bp/busy-ports" ] && echo "- $bp run: $(cat "$WORK/results/$bp/busy-ports")"
        done
        echo "- selected: ${#SELECTED[@]} tests (regex \`$regex\`), excluded: ${#EXCLUDED[@]} v2 tests (list at the end)"
        echo "- etcd: **$e_pass passed**, $e_fail failed, $e_skip skipped, $e_none not run; time $(fmt_duration "$e_sum") (sum of the per-test times)"
        echo "- Ketcd: **$k_pass passed**, $k_fail failed, $k_skip skipped, $k_none not run; **$both_pass of etcd's $e_pass passes** pass on Ketcd; time $(fmt_duration "$k_sum")"
        echo
        echo "Cells: result (seconds the test took, start-up included): for a failure or skip, the first \`file.go:NN:\` message the test printed (or the timeout panic). Logs: \`\$KETCD_E2E_WORK/results/<side>/<Test>.log\`."
        echo
        if [ -s "$WORK/notes.md" ]; then
            echo "## Notes on this run"
            echo
            cat "$WORK/notes.md"
            echo
        fi
        if [ -n "$gap_rows" ]; then
            echo "## Passed by etcd, not by Ketcd"
            echo
            echo "| test | ketcd |"
            echo "| --- | --- |"
            printf '%s' "$gap_rows"
            echo
        fi
        echo "## All selected tests"
        echo
        echo "| test | etcd | ketcd |"
        echo "| --- | --- | --- |"
        printf '%s' "$rows"
        if [ ${#EXCLUDED[@]} -gt 0 ]; then
            echo
            echo "## Excluded"
            echo
            echo "Tests of etcd's v2 API, which Ketcd does not serve (run them with \`--include-v2\`):"
            echo
            echo "| test | why |"
            echo "| --- | --- |"
            for t in "${EXCLUDED[@]}"; do echo "| $t | $(v2_reason "$t") |"; done
        fi
    } > "$out"
    log "table written to $out (etcd $e_pass passed; ketcd $k_pass passed, $both_pass of etcd's passes)"
    if [ "$write_docs" = yes ]; then
        mkdir -p "$repo/docs" && cp "$out" "$repo/docs/etcd-e2e-results.md" && log "copied to $repo/docs/etcd-e2e-results.md"
    fi
}

# ------------------------------------------------------------------------------------------------- main
ensure_packages
build_suite
select_tests
if [ "$list_only" = yes ]; then
    printf 'selected (%d):\n' ${#SELECTED[@]}; printf '  %s\n' "${SELECTED[@]}"
    printf 'excluded, v2 API (%d):\n' ${#EXCLUDED[@]}; [ ${#EXCLUDED[@]} -gt 0 ] && printf '  %s\n' "${EXCLUDED[@]}"
    exit 0
fi
if [ "$report_only" = no ]; then
    [[ " ${sides[*]} " == *" ketcd "* ]] && ensure_ketcd
    prepare_layout
    CURRENT_MARK=""
    trap 'log "interrupted"; [ -n "$CURRENT_MARK" ] && kill_marked "$CURRENT_MARK"; exit 130' INT TERM
    for s in "${sides[@]}"; do
        [ "$resume" = yes ] || rm -rf "$WORK/results/$s"
        run_side "$s"
    done
fi
report
