#!/usr/bin/env bash
# The containers benchmark: `docker run --rm` latency, 100 `docker create`, the container
# list with 100 and with 1,000 containers, memory, and what an IDE-like poller costs the
# daemon; berthd side by side with Podman's service and Docker's dockerd when installed.
#
# Usage: bench/containers.sh [--quick] [BUILD_DIR]   (or BUILD_DIR=...; default: build/)
# Tunables (environment): RUNS=20 WARMUP_RUNS=3 CREATES=100 LIST_SECONDS=5 WARMUP_SECONDS=1
#   SCALE_CONTAINERS=1000 SCALE_TAGS=300 POLL_SECONDS=30 PEER_POLL_SECONDS=10
#   PEER_SETUP_DEADLINE=300 ENGINES="berthd podman docker" BERTHD_LOG_LEVEL=warn
# The docker CLI is the client for run and create, every container has --network none.
# Everything runs on this machine over Unix sockets, all state in a temporary directory
# that is removed on exit, with every process the script started.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
quick=0
if [[ ${1:-} == --quick ]]; then
        quick=1
        shift
fi
build=$(cd "${1:-${BUILD_DIR:-$here/../build}}" && pwd)
bin=$build/bin
python=/usr/bin/python3
if ((quick)); then
        : "${RUNS:=3}" "${WARMUP_RUNS:=1}" "${CREATES:=10}" "${LIST_SECONDS:=1}" "${WARMUP_SECONDS:=0.5}"
        : "${SCALE_CONTAINERS:=100}" "${SCALE_TAGS:=30}" "${POLL_SECONDS:=3}" "${PEER_POLL_SECONDS:=2}"
fi
runs=${RUNS:-20}
warmup_runs=${WARMUP_RUNS:-3}
creates=${CREATES:-100}
list_seconds=${LIST_SECONDS:-5}
warmup_seconds=${WARMUP_SECONDS:-1}
scale_containers=${SCALE_CONTAINERS:-1000}
scale_tags=${SCALE_TAGS:-300}
poll_seconds=${POLL_SECONDS:-30}
peer_poll_seconds=${PEER_POLL_SECONDS:-10}
peer_setup_deadline=${PEER_SETUP_DEADLINE:-300}
berthd_log_level=${BERTHD_LOG_LEVEL:-warn}
wanted_engines=${ENGINES:-berthd podman docker}

# Targets from issue 4: ratios against Podman, absolute numbers for berthd alone.
target_run_ratio=0.3    # docker run latency, berthd / Podman, at most
target_list_ratio=50    # /containers/json rate with 100 containers, berthd / Podman, at least
target_rss_ratio=0.15   # RSS after the workload, berthd / Podman, at most
target_scale_rps=1000   # /containers/json rate with 1,000 containers, at least
target_poll_cpu=2       # daemon CPU under the poller, % of a core, at most

die() {
        echo "containers.sh: $*" >&2
        exit 1
}

for tool in berthd berth-loadgen; do
        [[ -x $bin/$tool ]] || die "$bin/$tool is missing; build it: cmake --build $build --target berthd berth-loadgen"
done
for tool in docker curl jq "$python"; do
        command -v "$tool" >/dev/null || die "$tool is missing (the docker CLI, curl, jq and python3 are needed)"
done
((scale_containers >= creates)) || die "SCALE_CONTAINERS ($scale_containers) must be at least CREATES ($creates)"

tmp=$(mktemp -d /tmp/berth-containers.XXXXXX)
pids=()

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# dockerd writes /etc/docker/key.json and makes a `docker` cgroup in each hierarchy;
# whatever was not there before the run is removed after it.
docker_key=/etc/docker/key.json
docker_key_was_there=0 docker_etc_was_there=0
[[ -e $docker_key ]] && docker_key_was_there=1
[[ -d /etc/docker ]] && docker_etc_was_there=1
docker_cgroups_new=()
for d in /sys/fs/cgroup/*/; do
        [[ -d ${d}docker ]] || docker_cgroups_new+=("${d}docker")
done

# lib.sh's clean-up, plus: processes that outlive their daemon (conmon, containerd shims,
# Podman's exit commands) all name the temp dir on their command line and go by PID;
# dockerd's leftovers outside the temp dir go; unmounting and removing are retried
# (a daemon that was killed mid-operation may still hold a mount for a moment).
containers_cleanup() {
        local rc=$? p cg
        trap - EXIT INT TERM
        for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
        for p in "${pids[@]}"; do
                wait_gone "$p" 10 || kill -KILL "$p" 2>/dev/null || true
                wait "$p" 2>/dev/null || true
        done
        while read -r p; do
                [[ $p == "$$" || $p == "$BASHPID" ]] && continue
                kill -KILL "$p" 2>/dev/null || true
        done < <(grep -lsF -- "$tmp/" /proc/[0-9]*/cmdline | cut -d/ -f3)
        ((docker_key_was_there)) || rm -f "$docker_key"
        ((docker_etc_was_there)) || rmdir /etc/docker 2>/dev/null || true
        for cg in "${docker_cgroups_new[@]}"; do rmdir "$cg" 2>/dev/null || true; done
        for _ in 1 2 3 4 5; do
                unmount_under "$tmp"
                rm -rf "$tmp" 2>/dev/null && break
                sleep 1
        done
        [[ -e $tmp ]] && echo "containers.sh: could not remove $tmp (mounts: $(grep -cF "$tmp/" /proc/self/mountinfo))" >&2
        exit "$rc"
}
trap containers_cleanup EXIT

declare -A result sock pid extra_pid

cpu_of() {
        local t
        t=$(cpu_ticks "${pid[$1]}")
        [[ -n ${extra_pid[$1]:-} ]] && t=$((t + $(cpu_ticks "${extra_pid[$1]}")))
        echo "$t"
}

# median of the numbers in $1 (separated by spaces), with 3 decimals.
median() {
        tr ' ' '\n' <<<"$1" | grep . | sort -n |
                awk '{ v[NR] = $1 } END { printf "%.3f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

now() {
        date +%s.%N
}

since() {
        awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'
}

dkr() {
        local engine=$1
        shift
        DOCKER_HOST=unix://${sock[$engine]} docker "$@"
}

# count ENGINE: how many containers GET /containers/json?all=1 lists.
count() {
        local out=$tmp/count.json code
        code=$(curl -sS --max-time 600 --unix-socket "${sock[$1]}" -o "$out" -w '%{http_code}' \
                'http://localhost/containers/json?all=1') || die "$1: GET /containers/json failed"
        [[ $code == 200 ]] || die "$1: GET /containers/json?all=1: HTTP $code: $(head -c 600 "$out")"
        jq length "$out"
}

# expect_count ENGINE N: the list has N containers (within 10 s: --rm removal may lag).
expect_count() {
        local n tries=50
        while n=$(count "$1") && ((n != $2)); do
                ((tries-- > 0)) || die "$1: $n containers listed, expected $2"
                sleep 0.2
        done
}

start_berthd() {
        local dir=$tmp/berthd
        mkdir -p "$dir"
        "$bin/berthd" --socket "$dir/berth.sock" --root "$dir/root" --runroot "$dir/run" \
                --log-level "$berthd_log_level" >"$dir/log" 2>&1 &
        pids+=($!)
        pid[berthd]=$!
        sock[berthd]=$dir/berth.sock
        wait_ready "${sock[berthd]}" 10 "${pid[berthd]}" "$dir/log"
}

# Podman reads only the containers.conf given in CONTAINERS_CONF (the two settings it
# needs here, see /work/shared/ENVIRONMENT.md), not /etc/containers; --tmpdir keeps
# /run/libpod out of the machine's state. File locks (in TMPDIR/locks): Podman's default
# SHM locks live in one machine-wide segment, /dev/shm/libpod_lock, of 2048, and the
# containers of a state dir that is deleted keep theirs until the segment is removed.
start_podman() {
        local dir=$tmp/podman
        mkdir -p "$dir"
        cat >"$dir/containers.conf" <<-'EOF'
	[containers]
	default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]
	[engine]
	runtime = "runc"
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	lock_type = "file"
	EOF
        env -u CONTAINER_HOST CONTAINERS_CONF="$dir/containers.conf" \
                podman --root "$dir/root" --runroot "$dir/run" --tmpdir "$dir/tmp" \
                system service --time=0 "unix://$dir/podman.sock" >"$dir/log" 2>&1 &
        pids+=($!)
        pid[podman]=$!
        sock[podman]=$dir/podman.sock
        wait_ready "${sock[podman]}" 30 "${pid[podman]}" "$dir/log"
}

# dockerd starts its own containerd (state under the exec root); both are measured.
start_docker() {
        local dir=$tmp/docker p tries=100
        mkdir -p "$dir/data" "$dir/exec"
        echo '{"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 1024, "Soft": 1024}}}' >"$dir/daemon.json"
        dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
                -H "unix://$dir/docker.sock" --config-file "$dir/daemon.json" \
                --containerd-namespace berth-bench --containerd-plugins-namespace berth-bench-plugins \
                --bridge=none --iptables=false --ip-masq=false --log-level warn >"$dir/log" 2>&1 &
        pids+=($!)
        pid[docker]=$!
        sock[docker]=$dir/docker.sock
        wait_ready "${sock[docker]}" 60 "${pid[docker]}" "$dir/log"
        until p=$(pgrep -P "${pid[docker]}" -x containerd); do
                ((tries-- > 0)) || die "docker: no containerd child of dockerd ${pid[docker]}"
                sleep 0.05
        done
        pids+=("$p")
        extra_pid[docker]=$p
}

load_image() {
        local engine=$1
        dkr "$engine" load -i "$tmp/busybox.tar" >"$tmp/$engine/load.log" 2>&1 ||
                die "$engine: docker load failed: $(tail -3 "$tmp/$engine/load.log")"
        dkr "$engine" image inspect busybox >/dev/null 2>&1 || die "$engine: busybox is not there after docker load"
}

# run_once ENGINE: one `docker run --rm --network none busybox true`; prints its seconds.
run_once() {
        local engine=$1 t0 out
        t0=$(now)
        out=$(dkr "$engine" run --rm --network none busybox true 2>&1) || die "$engine: docker run failed: $out"
        since "$t0"
}

# measure_runs: warm-ups, then RUNS rounds; in each, every engine runs once (the engines
# alternate, so noise hits all alike).
measure_runs() {
        local i engine s
        local -A times
        echo "== docker run --rm --network none busybox true: $warmup_runs warm-up(s), then $runs runs per engine"
        for ((i = 0; i < warmup_runs; i++)); do
                for engine in "${engines[@]}"; do run_once "$engine" >/dev/null; done
        done
        for ((i = 1; i <= runs; i++)); do
                for engine in "${engines[@]}"; do
                        s=$(run_once "$engine")
                        times[$engine]+="$s "
                done
        done
        for engine in "${engines[@]}"; do
                result[$engine.run]=$(median "${times[$engine]}")
                echo "   $engine: median ${result[$engine.run]} s; all: ${times[$engine]}"
                expect_count "$engine" 0
        done
}

# measure_creates ENGINE: CREATES x `docker create`, one after the other.
measure_creates() {
        local engine=$1 t0 i out
        t0=$(now)
        for ((i = 0; i < creates; i++)); do
                out=$(dkr "$engine" create --network none busybox true 2>&1) || die "$engine: docker create failed: $out"
        done
        result[$engine.create]=$(since "$t0")
        expect_count "$engine" "$creates"
        echo "   $engine: ${result[$engine.create]} s"
}

# list_load ENGINE CONNECTIONS: loadgen's JSON on /containers/json?all=1, plus the
# daemon's CPU share.
list_load() {
        local engine=$1 conns=$2 t0 t1 out pct
        t0=$(cpu_of "$engine")
        out=$("$bin/berth-loadgen" --socket "${sock[$engine]}" --path '/containers/json?all=1' \
                --connections "$conns" --duration "$list_seconds" --warmup "$warmup_seconds" --json) ||
                die "$engine: berth-loadgen failed at $conns connection(s)"
        t1=$(cpu_of "$engine")
        pct=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$list_seconds" -v w="$warmup_seconds" \
                'BEGIN { printf "%.0f", d / hz / (s + w) * 100 }')
        echo "${out%\}},\"daemon_cpu_pct\":$pct}"
}

# measure_list ENGINE KEY CONNECTIONS N: fills result[ENGINE.KEY*] from one load with N
# containers listed.
measure_list() {
        local engine=$1 key=$2 conns=$3 n=$4 j
        expect_count "$engine" "$n"
        j=$(list_load "$engine" "$conns")
        echo "   $engine, $conns connection(s): $j"
        result[$engine.$key]=$(awk -v r="$(json_get "$j" rps)" 'BEGIN { printf (r >= 100 ? "%.0f" : "%.1f"), r }')
        result[$engine.${key}_p50]=$(json_get "$j" p50_us)
        result[$engine.${key}_cpu]=$(json_get "$j" daemon_cpu_pct)
        result[$engine.bad]=$((${result[$engine.bad]:-0} + $(json_get "$j" non_2xx) + $(json_get "$j" errors)))
}

measure_memory() {
        local engine=$1
        result[$engine.rss]=$(rss_kib "${pid[$engine]}")
        result[$engine.hwm]=$(awk '/^VmHWM:/ { print $2 }' "/proc/${pid[$engine]}/status")
        if [[ -n ${extra_pid[$engine]:-} ]]; then
                result[$engine.rss_extra]=$(rss_kib "${extra_pid[$engine]}")
                result[$engine.rss]=$((${result[$engine.rss]} + ${result[$engine.rss_extra]}))
        fi
}

# scale_setup ENGINE DEADLINE: more containers up to SCALE_CONTAINERS and SCALE_TAGS tags
# through the API; 0 when done, 1 when the deadline (seconds, 0: none) passed first.
scale_setup() {
        local engine=$1 deadline=$2 t0 j rc left
        t0=$(now)
        j=$("$python" "$here/containers-client.py" "${sock[$engine]}" create $((scale_containers - creates)) \
                --deadline "$deadline") && rc=0 || rc=$?
        ((rc == 0 || rc == 3)) || die "$engine: creating containers for the scale test failed"
        echo "   $engine: create: $j"
        if ((rc == 0)); then
                left=0
                ((deadline > 0)) && left=$(awk -v d="$deadline" -v s="$(since "$t0")" 'BEGIN { x = d - s; print (x > 1 ? int(x) : 1) }')
                j=$("$python" "$here/containers-client.py" "${sock[$engine]}" tag busybox "$scale_tags" \
                        --deadline "$left") && rc=0 || rc=$?
                ((rc == 0 || rc == 3)) || die "$engine: tagging the image for the scale test failed"
                echo "   $engine: tag: $j"
        fi
        result[$engine.scale_setup]=$(since "$t0")
        if ((rc == 3)); then
                result[$engine.scale_note]="not measured at scale: setup took > $deadline s"
                return 1
        fi
        return 0
}

# measure_poll ENGINE SECONDS: the IDE-like poller for SECONDS; the daemon's CPU share.
measure_poll() {
        local engine=$1 seconds=$2 t0 c0 j c1
        c0=$(cpu_of "$engine")
        t0=$(now)
        j=$("$python" "$here/containers-client.py" "${sock[$engine]}" poll "$seconds") ||
                die "$engine: the poller failed"
        c1=$(cpu_of "$engine")
        result[$engine.poll_cpu]=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v s="$(since "$t0")" \
                'BEGIN { printf "%.1f", d / hz / s * 100 }')
        result[$engine.poll_round]=$(json_get "$j" round_ms_median)
        result[$engine.poll_secs]=$seconds
        echo "   $engine, ${seconds} s: $j, daemon CPU ${result[$engine.poll_cpu]}%"
}

measure_scale() {
        local engine=$1 deadline=0 poll=$poll_seconds
        if [[ $engine != berthd ]]; then
                deadline=$peer_setup_deadline
                poll=$peer_poll_seconds
        fi
        scale_setup "$engine" "$deadline" || {
                echo "   $engine: ${result[$engine.scale_note]}"
                return 0
        }
        measure_list "$engine" scale1 1 "$scale_containers"
        measure_poll "$engine" "$poll"
        measure_memory "$engine"
        result[$engine.rss_scale]=${result[$engine.rss]}
}

fmt_ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN {
                if (a == "" || b <= 0) { printf "-"; exit }
                r = a / b; printf (r >= 100 ? "%.0fx" : (r >= 0.1 ? "%.2fx" : "%.2gx")), r }'
}

# row LABEL KEY [noratio]
row() {
        local label=$1 key=$2 rp rd
        local b=${result[berthd.$key]:-} p=${result[podman.$key]:-} d=${result[docker.$key]:-}
        rp=$(fmt_ratio "$b" "$p")
        rd=$(fmt_ratio "$b" "$d")
        [[ ${3:-} == noratio ]] && rp=- rd=-
        printf '%-50s %10s %10s %10s %9s %9s\n' "$label" "${b:--}" "${p:--}" "${d:--}" "$rp" "$rd"
}

verdict() {
        local what=$1 value=$2 ok=$3
        printf '  %-64s %s\n' "$what: $value" "$([[ $ok == 1 ]] && echo met || echo MISSED)"
}

ratio_verdict() {
        local what=$1 key=$2 op=$3 target=$4 r
        if [[ -z ${result[podman.$key]:-} ]]; then
                echo "  $what: not measured (no Podman numbers)"
                return
        fi
        r=$(fmt_ratio "${result[berthd.$key]}" "${result[podman.$key]}")
        verdict "$what" "$r" "$(awk -v r="${r%x}" -v t="$target" "BEGIN { print (r $op t) }")"
}

print_table() {
        local engine
        echo
        echo "== results (b/p = berthd / podman, b/d = berthd / docker)"
        printf '%-50s %10s %10s %10s %9s %9s\n' measure berthd podman docker b/p b/d
        row "docker run --rm --network none true (s, median)" run
        row "$creates x docker create (s)" create
        row "GET /containers/json?all=1, $creates ctrs, req/s (1 conn)" list1
        row "  p50 latency (us)" list1_p50
        row "  daemon CPU (% of a core)" list1_cpu
        row "  same, 4 connections, req/s" list4
        row "RSS after that (KiB; docker: dockerd+containerd)" rss100
        row "  peak RSS, VmHWM (KiB; docker: dockerd)" hwm100
        row "scale setup: +$((scale_containers - creates)) creates, $scale_tags tags (s)" scale_setup
        row "GET /containers/json?all=1, $scale_containers ctrs, req/s" scale1
        row "  p50 latency (us)" scale1_p50
        row "poller every 100 ms: daemon CPU (% of a core)" poll_cpu
        row "  poller round, median (ms)" poll_round
        row "  poller run (s)" poll_secs noratio
        row "RSS at scale (KiB)" rss_scale
        for engine in "${engines[@]}"; do
                [[ -n ${result[$engine.scale_note]:-} ]] && echo "($engine: ${result[$engine.scale_note]})"
        done
        [[ -n ${result[docker.rss_extra]:-} ]] &&
                echo "(docker RSS after $creates: containerd's share ${result[docker.rss_extra100]} KiB)"
        echo
        echo "targets:"
        ratio_verdict "docker run latency <= ${target_run_ratio}x Podman's" run '<=' "$target_run_ratio"
        ratio_verdict "/containers/json rate, $creates ctrs, >= ${target_list_ratio}x Podman's" list1 '>=' "$target_list_ratio"
        ratio_verdict "RSS after the workload <= ${target_rss_ratio}x Podman's" rss100 '<=' "$target_rss_ratio"
        local s=${result[berthd.scale1]:-0} c=${result[berthd.poll_cpu]:-100}
        verdict "/containers/json with $scale_containers ctrs >= $target_scale_rps req/s" "$s req/s" \
                "$(awk -v v="$s" -v t=$target_scale_rps 'BEGIN { print (v >= t) }')"
        verdict "poller costs berthd <= ${target_poll_cpu}% of a core" "$c%" \
                "$(awk -v v="$c" -v t=$target_poll_cpu 'BEGIN { print (v <= t) }')"
        ((scale_containers < 1000)) && echo "  (scale: $scale_containers containers, not 1,000: a quick run)"
        local bad=0
        for engine in "${engines[@]}"; do bad=$((bad + ${result[$engine.bad]:-0})); done
        ((bad == 0)) || echo "warning: non-2xx answers or errors during the loads (see the JSON lines above)"
}

main() {
        local began=$SECONDS engine e
        engines=()
        echo "berth containers benchmark: $(nproc) cores, $(uname -sr), build $build$( ((quick)) && echo ', quick')"
        echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "berthd: $("$bin/berthd" --version)"
        echo "client: $(docker --version)"
        for e in $wanted_engines; do
                case $e in
                berthd) engines+=(berthd) ;;
                podman)
                        if command -v podman >/dev/null; then
                                echo "podman: $(podman --version)"
                                engines+=(podman)
                        else
                                echo "podman: not installed, left out"
                        fi
                        ;;
                docker)
                        if command -v dockerd >/dev/null; then
                                echo "docker: $(dockerd --version)"
                                engines+=(docker)
                        else
                                echo "docker: dockerd not installed (apt-get install docker.io), left out"
                        fi
                        ;;
                *) die "unknown engine '$e' in ENGINES" ;;
                esac
        done
        [[ ${engines[0]:-} == berthd ]] || die "ENGINES must start with berthd"

        "$python" "$here/../tests/fixtures/mkimage.py" save "$tmp/busybox.tar" busybox busybox:latest >/dev/null ||
                die "cannot build the busybox image"
        for engine in "${engines[@]}"; do
                "start_$engine"
                load_image "$engine"
        done

        measure_runs

        echo "== $creates x docker create --network none busybox true"
        for engine in "${engines[@]}"; do measure_creates "$engine"; done

        echo "== GET /containers/json?all=1 with $creates containers, ${list_seconds} s after ${warmup_seconds} s warm-up"
        for engine in "${engines[@]}"; do
                measure_list "$engine" list1 1 "$creates"
                measure_list "$engine" list4 4 "$creates"
                measure_memory "$engine"
                result[$engine.rss100]=${result[$engine.rss]}
                result[$engine.hwm100]=${result[$engine.hwm]}
                result[$engine.rss_extra100]=${result[$engine.rss_extra]:-}
        done

        echo "== at scale: $scale_containers containers, $scale_tags tags; the poller lists containers and images every 100 ms"
        echo "   (peers: setup capped at $peer_setup_deadline s, poller run for $peer_poll_seconds s; berthd: $poll_seconds s)"
        for engine in "${engines[@]}"; do measure_scale "$engine"; done

        print_table
        echo
        echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "total time: $((SECONDS - began)) s"
}

main
