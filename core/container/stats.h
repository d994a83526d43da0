/* `docker stats` numbers: a container's cgroup (v1 controllers or the v2 unified tree)
 * read into one sample, and two samples encoded as Docker's StatsJSON. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "berth/error.h"

/* One line of the io_service_bytes_recursive list. */
struct container_blkio_entry {
        uint32_t major, minor;
        char op[16];            /* v1: "Read", "Write", "Sync", "Async", "Discard", "Total"; v2: "read", "write" */
        uint64_t value;
};

/* One line of memory.stat. */
struct container_stat_kv {
        char *key;
        uint64_t value;
};

struct container_stats {
        int cgroup_version;             /* 1 or 2 */
        uint64_t cpu_total_ns, cpu_user_ns, cpu_system_ns;
        uint64_t system_cpu_ns;         /* the host's busy + idle time from /proc/stat, as Docker counts it */
        uint32_t online_cpus;
        uint64_t *percpu_ns;            /* v1 cpuacct.usage_percpu; NULL on v2 */
        size_t n_percpu;
        uint64_t throttle_periods, throttled_periods, throttled_ns;
        uint64_t mem_usage, mem_max_usage, mem_failcnt;
        uint64_t mem_limit;             /* the cgroup's limit, at most the host's memory */
        uint64_t mem_cache;             /* what `docker stats` subtracts from usage: (total_)inactive_file */
        struct container_stat_kv *mem_stats;    /* memory.stat, sorted by key */
        size_t n_mem_stats;
        uint64_t pids_current, pids_limit;      /* pids_limit 0: no limit */
        uint64_t blk_read, blk_write;           /* bytes, summed over devices */
        struct container_blkio_entry *blkio;
        size_t n_blkio;
        int64_t read_ns;                /* CLOCK_REALTIME when the sample was taken */
};

void container_stats_done(struct container_stats *s);

/* Reads the cgroup `cgroup_rel` (container_cgroup(): "/berth/<id>" or a systemd scope) under
 * /sys/fs/cgroup, v1 or v2 as cgroup_probe() says. Missing files read as 0; a cgroup that
 * exists in no controller is -ENOENT. */
int container_stats_read(const char *cgroup_rel, struct container_stats *ret, berth_error *err);

/* Where a sample comes from; container_stats_read() fills it from the host. Tests point
 * it at fake trees. */
struct container_stats_source {
        const char *cgroup_root;        /* v1: holds memory/, cpu/, cpuacct/, pids/, blkio/; v2: the unified root */
        int version;
        const char *proc_stat;          /* for system_cpu_ns */
        uint64_t machine_memory;        /* caps mem_limit; 0: no cap */
        uint32_t online_cpus;
        long clock_ticks;               /* USER_HZ of cpuacct.stat and /proc/stat */
};

int container_stats_read_from(const struct container_stats_source *src, const char *cgroup_rel,
                              struct container_stats *ret, berth_error *err);

/* Docker's StatsJSON for one sample (`prev` may be NULL: precpu_stats and preread are
 * then zero, as in Docker's first sample). name is without the leading "/". */
char *container_stats_docker_json(const struct container_stats *cur, const struct container_stats *prev,
                                  const char *id, const char *name);
