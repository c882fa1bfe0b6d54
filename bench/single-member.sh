# single-member.sh - sourced by the bench scripts that compare one fresh etcd member with one Ketcd member.
# Expects: $work (a private temp dir), $assembly, $bench; sets server_pid and client_port.
# Karaf's runtime state (bundle caches) of the members started here goes with the work dir.
export KETCD_RUNTIME_DIR="$work/karaf-runtime"
server_pid=""
client_port=""

peer_port=""
start_single() { # start_single etcd|ketcd NAME [same-ports] -> starts it, waits until it serves a linearizable range
    local srv="$1" name="$2" pp cmd
    if [ "${3:-}" != same-ports ] || [ -z "$peer_port" ]; then
        read -r client_port peer_port <<< "$("$bench" free-ports 2)"
    fi
    pp="$peer_port"
    if [ "$srv" = etcd ]; then cmd=(etcd); else cmd=("$assembly/bin/ketcd"); fi
    "${cmd[@]}" --name m1 --data-dir "$work/$srv" \
        --listen-client-urls "http://127.0.0.1:$client_port" --advertise-client-urls "http://127.0.0.1:$client_port" \
        --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
        --initial-cluster "m1=http://127.0.0.1:$pp" > "$work/$srv.log" 2>&1 &
    server_pid=$!
    # etcdctl rather than a JVM tool: its own start (~10 ms) must not count in bench/start-up.sh's times. An etcdctl
    # that finds the port closed takes 2 s to give up, so it runs once the port accepts connections (probed every
    # 20 ms).
    local deadline=$((SECONDS + 180))
    until (exec 3<> "/dev/tcp/127.0.0.1/$client_port") 2> /dev/null; do
        if [ $SECONDS -ge $deadline ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "$name: $srv did not open its client port; log:" >&2; tail -20 "$work/$srv.log" >&2; return 1
        fi
        sleep 0.02
    done
    until etcdctl --endpoints "127.0.0.1:$client_port" --dial-timeout 1s --command-timeout 2s get serving-probe \
            > /dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "$name: $srv did not start; log:" >&2; tail -20 "$work/$srv.log" >&2; return 1
        fi
        sleep 0.02
    done
}

stop_single() { kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""; }

stop_single_at_exit() { [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
