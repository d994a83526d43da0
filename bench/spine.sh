#!/usr/bin/env bash
# The spine benchmark: GET /_ping throughput, start to first answer and idle memory of
# berthd, side by side with Podman's API service when podman is installed.
#
# Usage: bench/spine.sh [BUILD_DIR]     (or BUILD_DIR=...; default: the build/ next to bench/)
# Tunables (environment): PING_SECONDS=5 WARMUP_SECONDS=1 BERTH_RUNS=10 PODMAN_RUNS=5
# Everything runs on this machine over Unix sockets in a temporary directory that is
# removed on exit, with every process the script started.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-${BUILD_DIR:-$here/../build}}" && pwd)
bin=$build/bin
ping_seconds=${PING_SECONDS:-5}
warmup_seconds=${WARMUP_SECONDS:-1}
berth_runs=${BERTH_RUNS:-10}
podman_runs=${PODMAN_RUNS:-5}

# Targets from the issues: ratios against Podman, absolute numbers for berthd alone.
target_ping_ratio=5
target_start_ms=5
target_rss_kib=4096

die() {
        echo "spine.sh: $*" >&2
        exit 1
}

for tool in berthd berth-loadgen berth-startlat; do
        [[ -x $bin/$tool ]] || die "$bin/$tool is missing; build it: cmake --build $build --target berthd berth-loadgen berth-startlat"
done

tmp=$(mktemp -d /tmp/berth-spine.XXXXXX)
pids=()

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# ping ENGINE PID SOCKET CONNECTIONS: loadgen's JSON, plus the daemon's CPU share.
ping_load() {
        local engine=$1 pid=$2 sock=$3 conns=$4 t0 t1 out
        t0=$(cpu_ticks "$pid")
        out=$("$bin/berth-loadgen" --socket "$sock" --path /_ping --connections "$conns" \
                --duration "$ping_seconds" --warmup "$warmup_seconds" --json) ||
                die "$engine: berth-loadgen failed at $conns connection(s)"
        t1=$(cpu_ticks "$pid")
        local pct
        pct=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$ping_seconds" -v w="$warmup_seconds" \
                'BEGIN { printf "%.0f", d / hz / (s + w) * 100 }')
        echo "${out%\}},\"daemon_cpu_pct\":$pct}"
}

declare -A result

# measure_load ENGINE PID SOCKET: fills result[ENGINE.*] from two ping loads.
measure_load() {
        local engine=$1 pid=$2 sock=$3 j1 j4
        echo "== $engine: GET /_ping, ${ping_seconds} s after ${warmup_seconds} s warm-up, 1 and 4 connections"
        j1=$(ping_load "$engine" "$pid" "$sock" 1)
        echo "   $j1"
        j4=$(ping_load "$engine" "$pid" "$sock" 4)
        echo "   $j4"
        result[$engine.rps1]=$(printf '%.0f' "$(json_get "$j1" rps)")
        result[$engine.rps4]=$(printf '%.0f' "$(json_get "$j4" rps)")
        result[$engine.p50_4]=$(json_get "$j4" p50_us)
        result[$engine.p99_4]=$(json_get "$j4" p99_us)
        result[$engine.cpu4]=$(json_get "$j4" daemon_cpu_pct)
        result[$engine.bad]=$(($(json_get "$j1" non_2xx) + $(json_get "$j1" errors) + $(json_get "$j4" non_2xx) + $(json_get "$j4" errors)))
        result[$engine.rss_load]=$(rss_kib "$pid")
}

# measure_start ENGINE SUFFIX RUNS SOCKET -- CMD...: fills result[ENGINE.start/rss_*SUFFIX].
# SUFFIX _sa: CMD is socket-activated, as systemd starts it (the socket bound beforehand).
measure_start() {
        local engine=$1 suffix=$2 runs=$3 sock=$4 j activate=()
        shift 5
        [[ $suffix == _sa ]] && activate=(--activate)
        echo "== $engine: start to first GET /_ping answer${suffix:+ (socket-activated)}, $runs runs"
        j=$("$bin/berth-startlat" --socket "$sock" --runs "$runs" "${activate[@]}" --json -- "$@") ||
                die "$engine: berth-startlat failed"
        echo "   $j"
        result[$engine.start$suffix]=$(json_get "$j" start_ms_median)
        result[$engine.rss_first$suffix]=$(json_get "$j" rss_first_kib_median)
        result[$engine.rss_idle$suffix]=$(json_get "$j" rss_idle_kib_median)
}

start_berthd() {
        local dir=$tmp/berthd
        mkdir -p "$dir"
        "$bin/berthd" --socket "$dir/berth.sock" --root "$dir/root" --runroot "$dir/run" --log-level warn \
                >"$dir/log" 2>&1 &
        pids+=($!)
        berthd_pid=$!
        wait_ready "$dir/berth.sock" 10 "$berthd_pid" "$dir/log"
}

# podman_service DIR: the command line in podman_argv. Podman's own state goes in DIR
# too: --tmpdir keeps /run/libpod out of it.
podman_service() {
        local dir=$1
        podman_argv=(env -u CONTAINER_HOST podman --root "$dir/root" --runroot "$dir/run" --tmpdir "$dir/tmp"
                system service --time=0 "unix://$dir/podman.sock")
}

start_podman() {
        local dir=$tmp/podman
        mkdir -p "$dir"
        podman_service "$dir"
        "${podman_argv[@]}" >"$dir/log" 2>&1 &
        pids+=($!)
        podman_pid=$!
        wait_ready "$dir/podman.sock" 30 "$podman_pid" "$dir/log"
}

fmt_ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else printf "-" }'
}

row() {
        local label=$1 key=$2
        local b=${result[berthd.$key]:-} p=${result[podman.$key]:--}
        printf '%-44s %12s %12s %10s\n' "$label" "$b" "$p" "$(fmt_ratio "$b" "${result[podman.$key]:-}")"
}

verdict() {
        local what=$1 value=$2 ok=$3
        printf '  %-52s %s\n' "$what: $value" "$([[ $ok == 1 ]] && echo met || echo MISSED)"
}

print_table() {
        echo
        echo "== results (ratio = berthd / podman)"
        printf '%-44s %12s %12s %10s\n' "measure" "berthd" "podman" "ratio"
        row "GET /_ping req/s, 1 connection" rps1
        row "GET /_ping req/s, 4 connections" rps4
        row "  p50 latency at 4 connections (us)" p50_4
        row "  p99 latency at 4 connections (us)" p99_4
        row "  daemon CPU at 4 connections (% of a core)" cpu4
        row "start to first /_ping answer (ms, median)" start
        row "RSS at first answer (KiB, median)" rss_first
        row "idle RSS, 1 s after start (KiB, median)" rss_idle
        row "RSS after the ping loads (KiB)" rss_load
        if [[ -n ${result[berthd.start_sa]:-} ]]; then
                row "socket-activated: start to first answer (ms)" start_sa
                row "socket-activated: idle RSS after 1 s (KiB)" rss_idle_sa
        fi
        echo
        echo "targets:"
        local b_rss=${result[berthd.rss_idle]} b_start=${result[berthd.start]}
        if [[ -n ${result[podman.rps4]:-} ]]; then
                local r
                r=$(fmt_ratio "${result[berthd.rps4]}" "${result[podman.rps4]}")
                verdict "ping rate >= ${target_ping_ratio}x Podman's (4 connections)" "$r" \
                        "$(awk -v r="${r%x}" -v t=$target_ping_ratio 'BEGIN { print (r >= t) }')"
        else
                echo "  ping rate >= ${target_ping_ratio}x Podman's: not measured ($podman_missing)"
        fi
        verdict "start to first answer < ${target_start_ms} ms" "$b_start ms" \
                "$(awk -v v="$b_start" -v t=$target_start_ms 'BEGIN { print (v < t) }')"
        verdict "idle RSS < 4 MiB ($target_rss_kib KiB)" "$b_rss KiB" \
                "$(awk -v v="$b_rss" -v t=$target_rss_kib 'BEGIN { print (v < t) }')"
        if ((${result[berthd.bad]} + ${result[podman.bad]:-0} > 0)); then
                echo "warning: non-2xx answers or errors during the loads (see the JSON lines above)"
        fi
}

main() {
        local began=$SECONDS podman_missing=""
        echo "berth spine benchmark: $(nproc) cores, $(uname -sr), build $build"
        echo "berthd: $("$bin/berthd" --version)"
        if command -v podman >/dev/null; then
                echo "podman: $(podman --version)"
        else
                podman_missing="podman is not installed"
                echo "podman: not installed; berthd numbers only"
        fi

        start_berthd
        [[ -z $podman_missing ]] && start_podman
        measure_load berthd "$berthd_pid" "$tmp/berthd/berth.sock"
        [[ -z $podman_missing ]] && measure_load podman "$podman_pid" "$tmp/podman/podman.sock"

        mkdir -p "$tmp/berthd-start"
        local berthd_argv=("$bin/berthd" --socket "$tmp/berthd-start/berth.sock" --root "$tmp/berthd-start/root"
                           --runroot "$tmp/berthd-start/run")
        measure_start berthd "" "$berth_runs" "$tmp/berthd-start/berth.sock" -- "${berthd_argv[@]}"
        if [[ -z $podman_missing ]]; then
                mkdir -p "$tmp/podman-start"
                podman_service "$tmp/podman-start"
                measure_start podman "" "$podman_runs" "$tmp/podman-start/podman.sock" -- "${podman_argv[@]}"
        fi
        measure_start berthd _sa "$berth_runs" "$tmp/berthd-start/berth.sock" -- "${berthd_argv[@]}"
        [[ -z $podman_missing ]] &&
                measure_start podman _sa "$podman_runs" "$tmp/podman-start/podman.sock" -- "${podman_argv[@]}"

        print_table
        echo
        echo "total time: $((SECONDS - began)) s"
}

main
