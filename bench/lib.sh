# Shared by the bench scripts: process and mount clean-up, readiness, small readers of
# /proc and of berth-loadgen's JSON. Sourced after the caller has set `bin`, `tmp`,
# `pids` and defined `die`.
# shellcheck shell=bash

# Podman bind-mounts its overlay directory onto itself; rm -rf would stop there.
unmount_under() {
        local dir=$1 m
        for _ in 1 2 3 4; do
                m=$(awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
                [[ -z $m ]] && return 0
                while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done <<<"$m"
        done
}

# Bash reaps its children as they end, so kill -0 fails once one is gone.
wait_gone() {
        local pid=$1 tries=$(($2 * 20))
        while kill -0 "$pid" 2>/dev/null && ((tries-- > 0)); do sleep 0.05; done
        ! kill -0 "$pid" 2>/dev/null
}

cleanup() {
        local rc=$? pid
        trap - EXIT INT TERM
        for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
        for pid in "${pids[@]}"; do
                wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        unmount_under "$tmp"
        rm -rf "$tmp"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_ready SOCKET SECONDS PID LOG: until SOCKET answers GET /_ping; dies with the
# daemon's log when it exits or stays silent.
wait_ready() {
        local sock=$1 seconds=$2 pid=$3 log=$4 tries=$(($2 * 20))
        while ((tries-- > 0)); do
                if ! kill -0 "$pid" 2>/dev/null; then
                        cat "$log" >&2
                        die "the daemon for $sock exited (its log is above)"
                fi
                if [[ -S $sock ]] &&
                        "$bin/berth-loadgen" --socket "$sock" --path /_ping --duration 0.05 --warmup 0 >/dev/null 2>&1; then
                        return 0
                fi
                sleep 0.05
        done
        cat "$log" >&2
        die "nothing answered on $sock within $seconds s (the daemon's log is above)"
}

json_get() {
        sed -n "s/.*\"$2\":\\([^,}]*\\).*/\\1/p" <<<"$1"
}

# utime + stime of a whole process, in clock ticks.
cpu_ticks() {
        sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

rss_kib() {
        awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

