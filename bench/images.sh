#!/usr/bin/env bash
# The images benchmark: pull time of a ~56 MB 4-layer image from a local registry, the
# rate of GET /images/json with 100 distinct images in the store, and berthd's memory
# after that, side by side with Podman's API service when podman is installed.
#
# Usage: bench/images.sh [BUILD_DIR]    (or BUILD_DIR=...; default: the build/ next to bench/)
# Tunables (environment): PULL_RUNS=5 LIST_IMAGES=100 PULL_JOBS=8 LIST_SECONDS=5
#                         WARMUP_SECONDS=1 BIG_MB=52 STATE_FS=disk (or tmpfs)
# Everything runs on this machine: the daemons on Unix sockets, docker-registry on
# 127.0.0.1, all state in a temporary directory that is removed on exit, with every
# process the script started.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-${BUILD_DIR:-$here/../build}}" && pwd)
bin=$build/bin
pull_runs=${PULL_RUNS:-5}
list_images=${LIST_IMAGES:-100}
pull_jobs=${PULL_JOBS:-8}
list_seconds=${LIST_SECONDS:-5}
warmup_seconds=${WARMUP_SECONDS:-1}
big_mb=${BIG_MB:-52}
state_fs=${STATE_FS:-disk}
python=/usr/bin/python3

# Targets from the issues: ratios against Podman.
target_pull_ratio=0.6 # berthd's median pull time / Podman's, at most
target_list_ratio=50  # berthd's /images/json rate / Podman's, at least

die() {
        echo "images.sh: $*" >&2
        exit 1
}

for tool in berthd berth-loadgen; do
        [[ -x $bin/$tool ]] || die "$bin/$tool is missing; build it: cmake --build $build --target berthd berth-loadgen"
done
[[ $state_fs == disk || $state_fs == tmpfs ]] || die "STATE_FS must be disk or tmpfs, not '$state_fs'"
for tool in curl jq docker-registry "$python"; do
        command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y curl jq docker-registry python3-pytest)"
done

tmp=$(mktemp -d /tmp/berth-images.XXXXXX)
pids=()

# state_dir DIR: creates a daemon's state directory; with STATE_FS=tmpfs, a tmpfs of its
# own (unmounted by cleanup like Podman's mounts).
state_dir() {
        mkdir -p "$1"
        if [[ $state_fs == tmpfs ]]; then
                mount -t tmpfs -o size=4g,mode=0700 berth-bench "$1" || die "cannot mount a tmpfs on $1"
        fi
}

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# The same plus the children it has waited for: Podman unpacks layers in a child
# process (its chrooted untar), berthd in threads.
cpu_ticks_all() {
        sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 + $14 + $15 }'
}

status_kib() {
        awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# median / min / max of the numbers in $1 (separated by spaces), with 3 decimals.
median() {
        tr ' ' '\n' <<<"$1" | grep . | sort -n |
                awk '{ v[NR] = $1 } END { printf "%.3f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

min_of() {
        tr ' ' '\n' <<<"$1" | grep . | sort -n | awk 'NR == 1 { printf "%.3f\n", $1 }'
}

max_of() {
        tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ m = $1 } END { printf "%.3f\n", m }'
}

declare -A result sock pid

# api ENGINE METHOD PATH OUT: the HTTP status; the body goes to OUT.
api() {
        curl -sS --max-time 300 --unix-socket "${sock[$1]}" -X "$2" -o "$4" -w '%{http_code}' "http://localhost$3"
}

# pull_ref ENGINE REF OUT: POST /images/create for REF, the whole progress stream into
# OUT; prints curl's total time in seconds. Fails on a status other than 200, a line that
# is not JSON or a line with "error"/"errorDetail" (Podman reports a failed pull as an
# error line in a 200 stream).
pull_ref() {
        local engine=$1 ref=$2 out=$3 w
        w=$(curl -sS --max-time 300 --unix-socket "${sock[$engine]}" -X POST -o "$out" -w '%{http_code} %{time_total}' \
                "http://localhost/images/create?fromImage=${ref%:*}&tag=${ref##*:}") || {
                echo "images.sh: $engine: pulling $ref: curl failed" >&2
                return 1
        }
        if [[ ${w% *} != 200 ]]; then
                echo "images.sh: $engine: pulling $ref: HTTP ${w% *}: $(head -c 600 "$out")" >&2
                return 1
        fi
        if ! jq -e -s 'length > 0 and all(.[]; (has("error") or has("errorDetail")) | not)' "$out" >/dev/null 2>&1; then
                echo "images.sh: $engine: pulling $ref: the stream reports an error: $(grep -m1 -v '^{"status"' "$out" | head -c 600)" >&2
                return 1
        fi
        echo "${w#* }"
}

# count ENGINE PATH: the length of the JSON array PATH answers with.
count() {
        local out=$tmp/count.json code
        code=$(api "$1" GET "$2" "$out") || die "$1: GET $2 failed"
        [[ $code == 200 ]] || die "$1: GET $2: HTTP $code: $(head -c 600 "$out")"
        jq length "$out"
}

# store_empty ENGINE: no image through the API (all=1) and no layer left on disk.
store_empty() {
        local engine=$1 n left
        n=$(count "$engine" "/images/json?all=1")
        ((n == 0)) || die "$engine: the store is not empty before a pull run: $n image(s) listed"
        if [[ $engine == berthd ]]; then
                left=$(find "$tmp/berthd/root/layers" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
        else
                left=$(find "$tmp/podman/root/overlay" -mindepth 1 -maxdepth 1 -type d ! -name l 2>/dev/null | wc -l)
        fi
        ((left == 0)) || die "$engine: $left layer director(y/ies) left on disk after removing every image"
}

# remove_ref ENGINE REF: DELETE /images/REF, then checks it is gone; prints the seconds
# the DELETE took.
remove_ref() {
        local engine=$1 ref=$2 out=$tmp/delete.json w code
        w=$(curl -sS --max-time 300 --unix-socket "${sock[$engine]}" -X DELETE -o "$out" -w '%{http_code} %{time_total}' \
                "http://localhost/images/$ref") || die "$engine: DELETE /images/$ref failed"
        [[ ${w% *} == 200 ]] || die "$engine: DELETE /images/$ref: HTTP ${w% *}: $(head -c 600 "$out")"
        code=$(api "$engine" GET "/images/$ref/json" "$out")
        [[ $code == 404 ]] || die "$engine: GET /images/$ref/json after DELETE: HTTP $code (expected 404)"
        echo "${w#* }"
}

# measure_pulls: PULL_RUNS rounds; in each, every engine pulls the big image into an
# empty store, then every engine removes it (so no engine's pull follows the other's
# delete in the same round). The engines alternate, so noise hits both alike.
# On ext4 without a journal (this VM's disk) pulls slow down after any mass deletion of
# the last minutes, for both engines: such a file system does not reuse an inode soon
# after its deletion (60 s, 360 s while its inode table block is dirty: recently_deleted()
# in fs/ext4/ialloc.c) and its allocator scans past every such inode (perf: recently_deleted
# and find_inode_bit on top). STATE_FS=tmpfs measures the engines without that.
measure_pulls() {
        local run engine secs del id t0 t1 cpu
        local -A pulls dels cpus
        echo "== pull of $big_ref ($((big_bytes / 1000000)) MB compressed, 4 layers) into an empty store, $pull_runs runs"
        for ((run = 1; run <= pull_runs; run++)); do
                for engine in "${engines[@]}"; do
                        store_empty "$engine"
                        t0=$(cpu_ticks_all "${pid[$engine]}")
                        secs=$(pull_ref "$engine" "$big_ref" "$tmp/$engine/pull.json") || die "$engine: the pull failed"
                        t1=$(cpu_ticks_all "${pid[$engine]}")
                        cpu=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", d / hz }')
                        api "$engine" GET "/images/$big_ref/json" "$tmp/inspect.json" >/dev/null
                        id=$(jq -r .Id "$tmp/inspect.json")
                        [[ $id == "$big_id" ]] || die "$engine: after the pull, $big_ref is '$id', expected $big_id"
                        pulls[$engine]+="$secs "
                        cpus[$engine]+="$cpu "
                        printf '   run %d %-7s pull %6.3f s (daemon CPU %5.2f s)\n' "$run" "$engine" "$secs" "$cpu"
                done
                for engine in "${engines[@]}"; do
                        del=$(remove_ref "$engine" "$big_ref")
                        dels[$engine]+="$del "
                        printf '   run %d %-7s delete %6.3f s\n' "$run" "$engine" "$del"
                done
        done
        for engine in "${engines[@]}"; do
                result[$engine.pull]=$(median "${pulls[$engine]}")
                result[$engine.pull_min]=$(min_of "${pulls[$engine]}")
                result[$engine.pull_max]=$(max_of "${pulls[$engine]}")
                result[$engine.pull_cpu]=$(median "${cpus[$engine]}")
                result[$engine.delete]=$(median "${dels[$engine]}")
        done
}

# pull_many ENGINE: every small image, PULL_JOBS at a time; checks that the store then
# lists that many distinct images.
pull_many() {
        local engine=$1 i=0 t0 t1 job ok=1 n
        local -a batch
        t0=$(date +%s.%N)
        for ref in "${small_refs[@]}"; do
                pull_ref "$engine" "$ref" "$tmp/$engine/small-$i.json" >"$tmp/$engine/small-$i.secs" &
                batch+=($!)
                i=$((i + 1))
                if ((${#batch[@]} == pull_jobs || i == ${#small_refs[@]})); then
                        for job in "${batch[@]}"; do wait "$job" || ok=0; done
                        batch=()
                fi
        done
        t1=$(date +%s.%N)
        ((ok)) || die "$engine: some of the $list_images small pulls failed (see above)"
        api "$engine" GET /images/json "$tmp/list.json" >/dev/null
        n=$(jq '[.[].Id] | unique | length' "$tmp/list.json")
        ((n == list_images)) || die "$engine: $n distinct images listed after pulling $list_images"
        result[$engine.pull_many]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
        result[$engine.pull_one]=$(median "$(cat "$tmp/$engine"/small-*.secs)")
        echo "   $engine: ${result[$engine.pull_many]} s, one pull ${result[$engine.pull_one]} s (median), $n images listed"
}

# list_load ENGINE PATH CONNECTIONS: loadgen's JSON, plus the daemon's CPU share.
list_load() {
        local engine=$1 path=$2 conns=$3 t0 t1 out pct
        t0=$(cpu_ticks "${pid[$engine]}")
        out=$("$bin/berth-loadgen" --socket "${sock[$engine]}" --path "$path" --connections "$conns" \
                --duration "$list_seconds" --warmup "$warmup_seconds" --json) ||
                die "$engine: berth-loadgen failed on $path at $conns connection(s)"
        t1=$(cpu_ticks "${pid[$engine]}")
        pct=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$list_seconds" -v w="$warmup_seconds" \
                'BEGIN { printf "%.0f", d / hz / (s + w) * 100 }')
        echo "${out%\}},\"daemon_cpu_pct\":$pct}"
}

# measure_list ENGINE KEY PATH CONNECTIONS: fills result[ENGINE.KEY*] from one load.
measure_list() {
        local engine=$1 key=$2 path=$3 conns=$4 n j
        n=$(count "$engine" "$path")
        ((n == list_images)) || die "$engine: GET $path lists $n images, expected $list_images"
        j=$(list_load "$engine" "$path" "$conns")
        echo "   $engine $path, $conns connection(s): $j"
        result[$engine.$key]=$(awk -v r="$(json_get "$j" rps)" 'BEGIN { printf (r >= 100 ? "%.0f" : "%.1f"), r }')
        result[$engine.${key}_p50]=$(json_get "$j" p50_us)
        result[$engine.${key}_p99]=$(json_get "$j" p99_us)
        result[$engine.${key}_cpu]=$(json_get "$j" daemon_cpu_pct)
        result[$engine.bad]=$((${result[$engine.bad]:-0} + $(json_get "$j" non_2xx) + $(json_get "$j" errors)))
}

start_registry() {
        local dir=$tmp/registry
        mkdir -p "$dir"
        "$python" "$here/registry-setup.py" --dir "$dir" --ready "$dir/ready.json" \
                --images "$list_images" --big-mb "$big_mb" >"$dir/log" 2>&1 &
        pids+=($!)
        registry_helper=$!
}

# wait_registry: until registry-setup.py has pushed everything; reads what it pushed.
wait_registry() {
        local dir=$tmp/registry tries=2400
        while [[ ! -f $dir/ready.json ]]; do
                if ! kill -0 "$registry_helper" 2>/dev/null || ((tries-- <= 0)); then
                        cat "$dir/log" >&2
                        die "the registry did not come up with its images (registry-setup.py's log is above)"
                fi
                sleep 0.05
        done
        pids+=("$(jq -r .registry_pid "$dir/ready.json")")
        registry_host=$(jq -r .host "$dir/ready.json")
        big_ref=$(jq -r .big "$dir/ready.json")
        big_id=$(jq -r .big_id "$dir/ready.json")
        big_bytes=$(jq -r .big_bytes "$dir/ready.json")
        mapfile -t small_refs < <(jq -r '.small[]' "$dir/ready.json")
        echo "registry: docker-registry on $registry_host, $((1 + ${#small_refs[@]})) images pushed in $(jq -r .push_seconds "$dir/ready.json") s"
}

start_berthd() {
        local dir=$tmp/berthd
        state_dir "$dir"
        "$bin/berthd" --socket "$dir/berth.sock" --root "$dir/root" --runroot "$dir/run" --log-level warn \
                >"$dir/log" 2>&1 &
        pids+=($!)
        pid[berthd]=$!
        sock[berthd]=$dir/berth.sock
        wait_ready "${sock[berthd]}" 10 "${pid[berthd]}" "$dir/log"
}

# Podman's own state goes in the temp dir: --tmpdir keeps /run/libpod out of the
# machine's, TMPDIR its image copies out of /var/tmp; the insecure registry is declared
# in a registries.conf of its own (CONTAINERS_REGISTRIES_CONF), /etc/containers is not read.
start_podman() {
        local dir=$tmp/podman
        state_dir "$dir"
        mkdir -p "$dir/copytmp"
        printf 'unqualified-search-registries = []\n\n[[registry]]\nlocation = "%s"\ninsecure = true\n' \
                "$registry_host" >"$dir/registries.conf"
        env -u CONTAINER_HOST CONTAINERS_REGISTRIES_CONF="$dir/registries.conf" TMPDIR="$dir/copytmp" \
                podman --root "$dir/root" --runroot "$dir/run" --tmpdir "$dir/tmp" \
                system service --time=0 "unix://$dir/podman.sock" >"$dir/log" 2>&1 &
        pids+=($!)
        pid[podman]=$!
        sock[podman]=$dir/podman.sock
        wait_ready "${sock[podman]}" 30 "${pid[podman]}" "$dir/log"
}

fmt_ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else printf "-" }'
}

row() {
        local label=$1 key=$2
        local b=${result[berthd.$key]:-} p=${result[podman.$key]:--}
        printf '%-48s %12s %12s %10s\n' "$label" "$b" "$p" "$(fmt_ratio "$b" "${result[podman.$key]:-}")"
}

verdict() {
        local what=$1 value=$2 ok=$3
        printf '  %-60s %s\n' "$what: $value" "$([[ $ok == 1 ]] && echo met || echo MISSED)"
}

print_table() {
        echo
        echo "== results (ratio = berthd / podman)"
        printf '%-48s %12s %12s %10s\n' "measure" "berthd" "podman" "ratio"
        row "pull of the 4-layer image (s, median)" pull
        row "  fastest run (s)" pull_min
        row "  slowest run (s)" pull_max
        row "  daemon CPU per pull, with children (s, median)" pull_cpu
        row "DELETE of that image (s, median)" delete
        row "$list_images small pulls, $pull_jobs at a time (s)" pull_many
        row "  one of those pulls (s, median)" pull_one
        row "GET /images/json req/s, 1 connection" list1
        row "GET /images/json req/s, 4 connections" list4
        row "  p50 latency at 4 connections (us)" list4_p50
        row "  p99 latency at 4 connections (us)" list4_p99
        row "  daemon CPU at 4 connections (% of a core)" list4_cpu
        row "GET /v1.41/images/json req/s, 4 connections" v141
        row "GET .../libpod/images/json req/s, 4 conns" libpod
        row "RSS after the workload (KiB)" rss
        row "peak RSS, VmHWM (KiB)" hwm
        echo "(libpod: berthd /libpod/images/json, Podman /v4.3.1/libpod/images/json: it serves libpod only under a version)"
        echo
        echo "targets:"
        if [[ -n ${result[podman.pull]:-} ]]; then
                local r
                r=$(fmt_ratio "${result[berthd.pull]}" "${result[podman.pull]}")
                verdict "pull time <= ${target_pull_ratio}x Podman's (median)" "$r" \
                        "$(awk -v r="${r%x}" -v t=$target_pull_ratio 'BEGIN { print (r <= t) }')"
                for c in 1 4; do
                        r=$(fmt_ratio "${result[berthd.list$c]}" "${result[podman.list$c]}")
                        verdict "/images/json rate >= ${target_list_ratio}x Podman's ($c connection(s))" "$r" \
                                "$(awk -v r="${r%x}" -v t=$target_list_ratio 'BEGIN { print (r >= t) }')"
                done
        else
                echo "  pull time <= ${target_pull_ratio}x Podman's: not measured ($podman_missing)"
                echo "  /images/json rate >= ${target_list_ratio}x Podman's: not measured ($podman_missing)"
        fi
        if ((${result[berthd.bad]} + ${result[podman.bad]:-0} > 0)); then
                echo "warning: non-2xx answers or errors during the loads (see the JSON lines above)"
        fi
}

main() {
        local began=$SECONDS podman_missing="" engine
        engines=(berthd)
        echo "berth images benchmark: $(nproc) cores, $(uname -sr), build $build"
        local where="a tmpfs per daemon"
        [[ $state_fs == disk ]] && where=$(findmnt -no FSTYPE,SOURCE -T "$tmp" | tr -s ' ')
        echo "state: $state_fs ($where)"
        echo "berthd: $("$bin/berthd" --version)"
        if command -v podman >/dev/null; then
                echo "podman: $(podman --version)"
                engines+=(podman)
        else
                podman_missing="podman is not installed"
                echo "podman: not installed; berthd numbers only"
        fi

        start_registry # builds and pushes the images while berthd starts
        start_berthd
        wait_registry
        [[ -z $podman_missing ]] && start_podman

        measure_pulls

        echo "== $list_images distinct small images into each store, $pull_jobs pulls at a time"
        for engine in "${engines[@]}"; do pull_many "$engine"; done

        echo "== GET /images/json with $list_images images, ${list_seconds} s after ${warmup_seconds} s warm-up"
        for engine in "${engines[@]}"; do
                measure_list "$engine" list1 /images/json 1
                measure_list "$engine" list4 /images/json 4
        done
        measure_list berthd v141 /v1.41/images/json 4
        measure_list berthd libpod /libpod/images/json 4
        [[ -z $podman_missing ]] && measure_list podman libpod /v4.3.1/libpod/images/json 4

        for engine in "${engines[@]}"; do
                result[$engine.rss]=$(status_kib "${pid[$engine]}" VmRSS)
                result[$engine.hwm]=$(status_kib "${pid[$engine]}" VmHWM)
        done

        print_table
        echo
        echo "total time: $((SECONDS - began)) s"
}

main
